"""Typed results of the Pasifik API: aware datetimes, Decimal money, integer counts.

Each record is a schema model (``providers.schema``) read as the document shows it: the field
types coerce the drifting types, an alias maps the document's name where ours differs.
``raw`` keeps the record as received (minus secrets) for fields the portal does not model yet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, model_validator

from ..schema import (
    Count,
    Flag,
    Id,
    IntList,
    Money,
    Number,
    OptionalInt,
    RawRecord,
    Record,
    Text,
    blank_as,
    not_bool,
    to_text,
)
from .parsing import CdrTime, GmtStamp, Hms, ReportTime, parse_epoch_uniqueid

_LATENCY = re.compile(r"\((\d+(?:\.\d+)?)\s*ms\)")
_SECRET_FIELDS = frozenset({"secret", "md5secret", "password", "remotesecret"})
_NO_ADDRESS = frozenset({"", "-none-", "(null)"})


def _rounded(value: Any) -> int:
    """Seconds given as ``2``, ``"2"`` or ``2.4``: the nearest whole second."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    return round(float(str(not_bool(value)).strip()))


# A result code: 200 unless the answer says otherwise.
Code = Annotated[int, BeforeValidator(not_bool), BeforeValidator(blank_as(200))]
Seconds = Annotated[int, BeforeValidator(_rounded)]
Stripped = Annotated[str, AfterValidator(str.strip), BeforeValidator(to_text)]


# --- SMS ------------------------------------------------------------------


@dataclass(frozen=True)
class SmsEnvelope:
    """One message to one number, for ``sms_submit_multi``."""

    to: str
    text: str


class SubmitResult(RawRecord):
    """The answer to an SMS submit: ``{"id": "123456", "code": "200", "description": "OK"}``."""

    id: Id
    code: Code = 200
    description: Text = Field("", validation_alias=AliasChoices("description", "message"))


class SmsReport(RawRecord):
    """General report of one submit (query multi, query multi by id)."""

    sms_id: Id
    sender: Text = ""
    message: Text = ""
    created: ReportTime = None
    count: Count = 0
    delivered_count: Count = 0
    undelivered_count: Count = 0
    waiting_count: Count = 0
    cost: Money = Decimal(0)
    succeeded: Flag = False


class SmsRecipientReport(RawRecord):
    """Detailed report: one row per destination number (query)."""

    sms_id: Id
    msisdn: Text = ""
    state: Text = ""
    status_text: Text = Field("", alias="errorcode")  # a sentence such as "It was delivered"
    payload: Text = ""
    cost: Money = Decimal(0)
    network: OptionalInt = None
    sequence: Count = 0
    xser: Text = ""
    submitted: ReportTime = None
    last_updated: ReportTime = Field(None, alias="lastupdated")

    @property
    def is_delivered(self) -> bool:
        return self.state.strip().lower() == "delivered"


# --- account ---------------------------------------------------------------


class UserSettings(RawRecord):
    username: Text = ""
    fullname: Text = ""
    balance: Money = Decimal(0)
    currency: Text = ""
    sms_balance_pkt: Count = 0
    tel_balance_pkt: Count = 0
    tel_account_list: IntList = ()
    count_all: Count = 0
    delivered_all: Count = 0
    undelivered_all: Count = 0
    waiting_all: Count = 0


# --- telephone ---------------------------------------------------------------


class TelCall(RawRecord):
    """One telephone CDR (``tel/history``). Times are UTC: the document's stamps say GMT."""

    i_cdr: Id
    i_call: Count = 0
    i_account: Count = 0
    call_id: Text = ""
    cli: Text = ""
    cld: Text = ""
    cli_in: Text = ""
    cld_in: Text = ""
    connect_time: GmtStamp = None
    disconnect_time: GmtStamp = None
    setup_time: GmtStamp = None  # deprecated by the document; usually absent
    duration: Number = 0.0
    billed_duration: Count = 0
    plan_duration: Count = 0
    cost: Money = Decimal(0)
    result: Count = 0
    protocol: Text = ""
    country: Text = ""
    description: Text = ""
    release_source: Text = ""
    remote_ip: Text = ""
    user_agent: Text = ""
    prefix: Text = ""
    area_name: Text = ""
    delay: Number = 0.0
    pdd1xx: Number = 0.0
    free_seconds: Count = 0
    grace_period: Count = 0
    interval_1: Count = 0
    interval_n: Count = 0
    price_1: Money = Decimal(0)
    price_n: Money = Decimal(0)
    connect_fee: Money = Decimal(0)
    post_call_surcharge: Money = Decimal(0)
    accessibility_cost: Money = Decimal(0)


class LiveCall(RawRecord):
    """One call in progress (``tel/live``); ``id`` is what ``tel_live_disconnect`` takes."""

    id: Id
    i_account: Count = 0
    i_connection: Count = 0
    cli: Text = ""
    cld: Text = ""
    call_id: Text = ""
    cc_state: Text = ""
    duration: Seconds = 0
    delay: Seconds = 0
    b2bua_tag: Text = ""
    country: Text = ""
    description: Text = ""


# --- PBX ---------------------------------------------------------------------


@dataclass(frozen=True)
class PbxState:
    """The envelope every PBX answer carries: ``{"state", "code", "central"}``."""

    code: int
    state: str
    central: str


def _address(value: Any) -> str | None:
    text = to_text(value).strip()
    return None if text in _NO_ADDRESS else text


class SipPeer(RawRecord):
    name: Text = Field("", alias="ObjectName")  # an extension ("100") or a trunk ("908599999999")
    status: Stripped = Field("", alias="Status")  # "OK (119 ms)", "UNKNOWN", "UNREACHABLE", ...
    ip_address: Annotated[str | None, BeforeValidator(_address)] = Field(None, alias="IPaddress")  # None: "-none-"
    port: Annotated[OptionalInt, AfterValidator(lambda port: port or None)] = Field(None, alias="IPport")
    channel_type: Text = Field("", alias="Channeltype")
    dynamic: Flag = Field(False, alias="Dynamic")
    description: Text = Field("", alias="Description")

    @property
    def latency_ms(self) -> int | None:
        latency = _LATENCY.search(self.status)
        return round(float(latency.group(1))) if latency else None

    @property
    def is_reachable(self) -> bool:
        return self.status.upper().startswith("OK")


class SipExtension(Record):
    """One SIP profile (``pbx/sipextensions``), read from ``{"name", "settings"}``. The SIP password is dropped."""

    name: str
    settings: Mapping[str, str]  # every setting, as text, secrets removed
    port: OptionalInt = None

    @model_validator(mode="before")
    @classmethod
    def _without_secrets(cls, data: Any) -> Any:
        raw = data.get("settings") if isinstance(data, Mapping) else None
        if not isinstance(raw, Mapping):
            raise ValueError(f"expected the settings as an object, got {type(raw).__name__}")
        settings = {str(k): to_text(v) for k, v in raw.items() if str(k).lower() not in _SECRET_FIELDS}
        return {"name": to_text(data.get("name")), "settings": settings, "port": settings.get("port")}

    @property
    def type(self) -> str:
        """ "friend" for a phone, "peer" for a trunk."""
        return self.settings.get("type", "")

    @property
    def context(self) -> str:
        return self.settings.get("context", "")

    @property
    def host(self) -> str:
        return self.settings.get("host", "")

    @property
    def callerid(self) -> str:
        return self.settings.get("callerid", "")

    @property
    def dial(self) -> str:
        return self.settings.get("dial", "")

    @property
    def transport(self) -> str:
        return self.settings.get("transport", "")

    @property
    def is_trunk(self) -> bool:
        return self.type == "peer"


class PbxCdr(RawRecord):
    """One PBX (Asterisk) CDR. ``calldate`` is the PBX's local time, read in its zone; see docs/providers.md.

    Read it with ``context={"zone": <the PBX's zone>}`` (the account's ``pbx_zone``; Europe/Istanbul without).
    """

    uniqueid: Text = ""
    calldate: CdrTime = Field(None, validation_alias=AliasChoices("calldate", "start"))  # aware, in the PBX's zone
    src: Text = ""
    dst: Text = ""
    did: Text = ""
    clid: Text = ""
    cnum: Text = ""
    cnam: Text = ""
    channel: Text = ""
    dstchannel: Text = ""
    dcontext: Text = ""
    lastapp: Text = ""
    lastdata: Text = ""
    disposition: Text = ""
    duration: Count = 0
    billsec: Count = 0
    amaflags: Text = ""
    accountcode: Text = ""
    userfield: Text = ""
    recordingfile: Text = ""

    @property
    def started_at(self) -> datetime | None:
        """From ``uniqueid``'s Unix time: exact, zone-free."""
        return parse_epoch_uniqueid(self.uniqueid)

    @property
    def has_recording(self) -> bool:
        return bool(self.recordingfile)

    @property
    def start(self) -> datetime | None:
        """When the call began: ``uniqueid``'s Unix time when it has one (exact), else ``calldate``."""
        return self.started_at or self.calldate

    @property
    def call_day(self) -> date | None:
        """The ``calldate`` a recording download asks for: the PBX's local day."""
        if self.calldate is not None:
            return self.calldate.date()
        return None


class ActiveChannel(RawRecord):
    channel: Text = Field("", alias="Channel")
    context: Text = Field("", alias="Context")
    extension: Text = Field("", alias="Extension")
    priority: Count = Field(0, alias="Prio")
    state: Text = Field("", alias="State")  # Up, Ring, Ringing, Down
    application: Text = Field("", alias="Application")  # Dial, AppDial, AppQueue, Queue
    data: Text = Field("", alias="Data")
    caller_id: Text = Field("", alias="CallerID")
    duration: Hms = Field(timedelta(0), alias="Duration")
    account_code: Text = Field("", alias="Accountcode")
    peer_account: Text = Field("", alias="PeerAccount")
    bridged_to: Text = Field("", alias="BridgedTo")


@dataclass(frozen=True)
class ActiveCalls:
    """``pbx/activecall``: the channels, plus Asterisk's trailing summary lines when given."""

    channels: tuple[ActiveChannel, ...]
    active_channels: int | None
    active_calls: int | None
    calls_processed: int | None


# --- fax ---------------------------------------------------------------------


class FaxUploadResult(RawRecord):
    filename: Text = ""  # the provider's name for the file: what fax_submit takes
    code: Code = 200
    message: Text = Field("", validation_alias=AliasChoices("message", "description"))


class FaxReport(RawRecord):
    """One sent fax (``fax/query``, ``fax/query/report``)."""

    fax_id: Id
    sender: Text = ""
    filename: Text = Field("", alias="fax_filename")
    created: ReportTime = None
    scheduled_at: ReportTime = Field(None, alias="scheduled_datetime")
    is_scheduled: Flag = False
    count: Count = 0
    delivered: Count = 0
    undelivered: Count = 0
    waiting: Count = 0
    cost: Money = Decimal(0)
    succeeded: Flag = False


class InboxFax(RawRecord):
    """One received fax (``fax/query/inbox``); download it from ``rxfax``."""

    fax_id: Id
    cli: Text = ""  # the sender's number
    cld: Text = ""  # our fax number: the ``from`` a download takes
    received_at: ReportTime = Field(None, alias="datetime")
    filename: Text = Field("", alias="fax_filename")
    is_mailed: Flag = False
