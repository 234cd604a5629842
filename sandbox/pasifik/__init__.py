"""The Pasifik Telekom API V2 emulator (``pasifik-telekom-api-v2.txt``).

Every endpoint of the document at its path under a language segment,
``/pasifik/<tr|en|ar>/api/...``, POST only, authenticated with
``Authorization: base64(username:password)`` (bare as the document shows, or
with ``Basic ``). One module per area of the document:

- ``sms``: SMS submit/query and ``user/getsettings/`` (balance);
- ``telephone``: call history, live calls, disconnect;
- ``pbx``: SIP peers and extensions, CDRs, recordings, active calls;
- ``fax``: upload, submit, query, report, inbox, download;
- ``common``: authentication, bodies, the error form, dates.

State evolves with the sandbox clock (``sandbox.clock.advance(seconds)``):
SMS settle ``SMS_DELIVERY_SECONDS`` after they are due, faxes
``FAX_DELIVERY_SECONDS``; live calls, active PBX calls, peer statuses and
received faxes are functions of the clock.
"""

from __future__ import annotations

from typing import Any, ClassVar

from werkzeug.routing import Rule

from ..core import Clock
from .common import DEMO_CREDENTIALS, ERROR_MEANINGS, GENERAL_ERROR, LANGUAGES, ApiError
from .fax import DEMO_FAX_NUMBERS, FAX_DELIVERY_SECONDS, FAX_MAX_UPLOAD_BYTES, FAX_UPLOAD_TYPES, FaxApi
from .pbx import DEMO_EXTENSIONS, DEMO_PBX_TRUNK, PBX_STATES, PbxApi
from .sms import DEMO_BALANCE, SMS_DELIVERY_SECONDS, SMS_PART_PRICE, SmsApi, sms_parts
from .telephone import DEMO_TELEPHONE_IDS, DEMO_TELEPHONE_NUMBERS, LIVE_SLOT_SECONDS, TelephoneApi

__all__ = [
    "DEMO_BALANCE",
    "DEMO_CREDENTIALS",
    "DEMO_EXTENSIONS",
    "DEMO_FAX_NUMBERS",
    "DEMO_PBX_TRUNK",
    "DEMO_TELEPHONE_IDS",
    "DEMO_TELEPHONE_NUMBERS",
    "ERROR_MEANINGS",
    "FAX_DELIVERY_SECONDS",
    "FAX_MAX_UPLOAD_BYTES",
    "FAX_UPLOAD_TYPES",
    "GENERAL_ERROR",
    "LANGUAGES",
    "LIVE_SLOT_SECONDS",
    "MAX_DEMO_SCALE",
    "PBX_STATES",
    "SMS_DELIVERY_SECONDS",
    "SMS_PART_PRICE",
    "ApiError",
    "PasifikSandbox",
    "sms_parts",
]


# i_cdr is 17950000 + 1000 × telephone id + index: the ids 230 and 252 keep apart up to 22,000 calls each.
MAX_DEMO_SCALE = 100


class PasifikSandbox(SmsApi, TelephoneApi, PbxApi, FaxApi):
    """The emulator; ``demo_scale`` multiplies its call history and PBX CDRs (1: the counts tests rely on)."""

    name = "pasifik"
    demo_credentials: ClassVar[dict[str, str]] = dict(DEMO_CREDENTIALS)
    demo_options: ClassVar[dict[str, Any]] = {
        "language": "tr",
        "auth_scheme": "bare",
        "sender_ids": ["DEMO", "TELCOPORTAL"],
        "telephone_ids": [str(i) for i in DEMO_TELEPHONE_IDS],
        "fax_numbers": list(DEMO_FAX_NUMBERS),
    }

    def __init__(self, clock: Clock, demo_scale: int = 1) -> None:
        if not 1 <= demo_scale <= MAX_DEMO_SCALE:
            raise ValueError(f"demo_scale must be between 1 and {MAX_DEMO_SCALE}")
        self.demo_scale = demo_scale
        super().__init__(clock)

    def reset(self) -> None:
        self.poison_record = False  # tel/history/, pbx/cdr/ and fax/query/inbox/ (see ..poison)
        self.reset_sms()
        self.reset_telephone()
        self.reset_pbx()
        self.reset_fax()

    def rules(self) -> list[Rule]:
        return [*self.sms_rules(), *self.telephone_rules(), *self.pbx_rules(), *self.fax_rules()]

    def settings_username(self) -> str:
        return DEMO_CREDENTIALS["username"]

    def telephone_ids(self) -> tuple[int, ...]:
        return DEMO_TELEPHONE_IDS
