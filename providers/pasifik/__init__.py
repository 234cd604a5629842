"""Pasifik Telekom API V2 client (``pasifik-telekom-api-v2.txt``): plain Python, no Django."""

from ..files import Download
from .client import DEFAULT_BASE_URL, DEFAULT_PBX_ZONE, PasifikClient, api_root, authorization_value, pbx_time_zone
from .models import (
    ActiveCalls,
    ActiveChannel,
    FaxReport,
    FaxUploadResult,
    InboxFax,
    LiveCall,
    PbxCdr,
    PbxState,
    SipExtension,
    SipPeer,
    SmsEnvelope,
    SmsRecipientReport,
    SmsReport,
    SubmitResult,
    TelCall,
    UserSettings,
)
from .responses import PBX_MESSAGES, PBX_STATES
from .validation import ALPHABETS, CDR_FIELD_NAMES, CDR_RECORDINGS, CDR_STATUSES, TEL_HISTORY_TYPES

__all__ = [
    "ALPHABETS",
    "CDR_FIELD_NAMES",
    "CDR_RECORDINGS",
    "CDR_STATUSES",
    "DEFAULT_BASE_URL",
    "DEFAULT_PBX_ZONE",
    "PBX_MESSAGES",
    "PBX_STATES",
    "TEL_HISTORY_TYPES",
    "ActiveCalls",
    "ActiveChannel",
    "Download",
    "FaxReport",
    "FaxUploadResult",
    "InboxFax",
    "LiveCall",
    "PasifikClient",
    "PbxCdr",
    "PbxState",
    "SipExtension",
    "SipPeer",
    "SmsEnvelope",
    "SmsRecipientReport",
    "SmsReport",
    "SubmitResult",
    "TelCall",
    "UserSettings",
    "api_root",
    "authorization_value",
    "pbx_time_zone",
]
