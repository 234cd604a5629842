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

from werkzeug.routing import Rule

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
    "PBX_STATES",
    "SMS_DELIVERY_SECONDS",
    "SMS_PART_PRICE",
    "ApiError",
    "PasifikSandbox",
    "sms_parts",
]


class PasifikSandbox(SmsApi, TelephoneApi, PbxApi, FaxApi):
    name = "pasifik"

    def reset(self) -> None:
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
