"""What each provider kind asks for: credential fields (encrypted) and options.

The provider-account forms are built from this table, so adding a field here
is all a new credential or option needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    PASIFIK = "pasifik", _("Pasifik Telekom")
    TELSAM = "telsam", _("Telsam yenifaks")
    VERIMOR = "verimor", _("Verimor Bulutsantralim")
    TELPHIN = "telphin", _("Telphin")


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: str | Promise
    secret: bool = True  # secrets are write-only; identifiers are shown back to admins
    help_text: str | Promise = ""
    required: bool = True


@dataclass(frozen=True)
class OptionField:
    name: str
    label: str | Promise
    kind: str = "text"  # text | list | choice | int
    choices: tuple[tuple[str, str | Promise], ...] = ()
    default: str | int | list[str] = ""
    help_text: str | Promise = ""
    min_value: int | None = None
    max_value: int | None = None
    validators: tuple[Callable[[Any], None], ...] = ()


@dataclass(frozen=True)
class KindSpec:
    kind: ProviderKind
    credentials: tuple[CredentialField, ...]
    options: tuple[OptionField, ...] = field(default_factory=tuple)
    capabilities: tuple[str, ...] = ()


def validate_time_zone(value: str) -> None:
    if not value:
        return
    try:
        ZoneInfo(value.strip())
    except (ValueError, ZoneInfoNotFoundError):
        raise ValidationError(
            _("“%(value)s” is not a time zone name like Europe/Istanbul."), params={"value": value}
        ) from None


FAX_NUMBERS = OptionField(
    "fax_numbers", _("Fax numbers"), kind="list", help_text=_("Our fax numbers at this provider, one per line.")
)

# Fax: choices, not free text that must hold an English keyword. Empty takes the default (older forms).
FAX_QUALITY = OptionField(
    "fax_quality",
    _("Default fax quality"),
    kind="choice",
    choices=(("fine", _("Fine (204×196 dpi)")), ("normal", _("Normal (204×98 dpi)"))),
    default="fine",
)
FAX_FORMAT = OptionField(
    "fax_format",
    _("Fax document format"),
    kind="choice",
    choices=(("tiff", _("TIFF made here, as previewed")), ("pdf", _("PDF, rendered by the provider"))),
    default="tiff",
)

TELPHIN_RECEIVED_LIST = "/extension/{extension_id}/fax/in/"
TELPHIN_RECEIVED_FILE = "/extension/{extension_id}/fax/in/{uuid}/file/"

SPECS: dict[str, KindSpec] = {
    ProviderKind.PASIFIK: KindSpec(
        kind=ProviderKind.PASIFIK,
        credentials=(
            CredentialField("username", _("Username"), secret=False),
            CredentialField("password", _("Password")),
        ),
        options=(
            OptionField(
                "language",
                _("Response language"),
                kind="choice",
                choices=(("tr", _("Turkish")), ("en", _("English")), ("ar", _("Arabic"))),
                default="tr",
            ),
            OptionField(
                "auth_scheme",
                _("Authorization header"),
                kind="choice",
                choices=(("bare", _("Bare value (as the provider's library sends it)")), ("basic", _("Basic scheme"))),
                default="bare",
            ),
            OptionField(
                "sender_ids", _("Sender ids"), kind="list", help_text=_("Approved SMS sender ids, one per line.")
            ),
            # SMS (issue 4): how a batch is cut and what the counter keeps back.
            # Text, not "int": an int option is a required field, and older forms post without these.
            OptionField(
                "sms_chunk_size",
                _("SMS chunk size"),
                default="500",
                help_text=_("Numbers per submit request when sending a batch (1 to 5000)."),
            ),
            OptionField(
                "sms_operator_reserve",
                _("Characters kept for the operator code"),
                default="0",
                help_text=_("Operators append a code to commercial messages: 5 by the regulator's rule."),
            ),
            OptionField(
                "sms_max_parts",
                _("Most SMS parts per message"),
                kind="int",
                default=10,
                min_value=1,
                max_value=255,  # a concatenated SMS counts its parts in one byte
                help_text=_("A longer text is refused (1 to 255); a long one is sent only after a confirmation."),
            ),
            OptionField(
                "sms_part_price",
                _("Price of one SMS part"),
                help_text=_("For the cost estimate; empty: derived from the balance and the SMS package."),
            ),
            OptionField(
                "telephone_ids", _("Telephone account ids"), kind="list", help_text=_("One per line, for call records.")
            ),
            # Dashboard and notifications (issue 7). Text, like the SMS options above.
            OptionField(
                "low_balance_threshold",
                _("Low-balance threshold"),
                help_text=_("Warn on the dashboard and notify the team when the balance falls under this amount."),
            ),
            # Calls (issue 10): PBX CDR calldates are the PBX's wall clock, in this zone.
            OptionField(
                "pbx_zone",
                _("PBX time zone"),
                default="Europe/Istanbul",
                help_text=_("The zone of the PBX's clock, for call times without an exact timestamp."),
                validators=(validate_time_zone,),
            ),
            FAX_NUMBERS,
            FAX_QUALITY,
            FAX_FORMAT,
        ),
        capabilities=("sms", "calls", "pbx", "fax"),
    ),
    ProviderKind.TELSAM: KindSpec(
        kind=ProviderKind.TELSAM,
        credentials=(
            CredentialField(
                "username",
                _("Username"),
                secret=False,
                required=False,
                help_text=_("Leave username and password empty to authorize with the Connect button instead."),
            ),
            CredentialField("password", _("Password"), required=False),
            CredentialField("client_id", _("Client id"), secret=False),
            CredentialField("client_secret", _("Client secret")),
        ),
        options=(
            FAX_NUMBERS,
            FAX_QUALITY,
            FAX_FORMAT,
            # No public document gives these URLs: see docs/providers.md, "Telsam yenifaks".
            # Stored as "authorize_url" since before it became a path: a path under the base URL, like the others.
            OptionField(
                "authorize_url",
                _("Authorize path"),
                help_text=_("A path under the base URL. Empty: /oauth/authorize (Laravel Passport)."),
            ),
            OptionField("send_path", _("Send path"), default="/fax/send"),
            OptionField("download_path", _("Download path"), default="/fax/{id}/download"),
        ),
        capabilities=("fax",),
    ),
    ProviderKind.VERIMOR: KindSpec(
        kind=ProviderKind.VERIMOR,
        credentials=(CredentialField("api_key", _("API key")),),
        options=(
            FAX_NUMBERS,
            FAX_QUALITY,
            FAX_FORMAT,
            OptionField("station_header", _("Fax header"), help_text=_("The sender name printed on each page.")),
        ),
        capabilities=("fax",),
    ),
    ProviderKind.TELPHIN: KindSpec(
        kind=ProviderKind.TELPHIN,
        credentials=(
            CredentialField("client_id", _("Client id"), secret=False),
            CredentialField("client_secret", _("Client secret")),
            CredentialField("extension_id", _("Extension id"), secret=False),
        ),
        options=(
            FAX_NUMBERS,
            FAX_QUALITY,
            FAX_FORMAT,
            # No public document gives these URLs: see docs/providers.md, "Telphin".
            OptionField("received_list_path", _("Received faxes path"), default="/extension/{extension_id}/fax/in/"),
            OptionField(
                "received_file_path",
                _("Received fax file path"),
                default="/extension/{extension_id}/fax/in/{uuid}/file/",
            ),
        ),
        capabilities=("fax",),
    ),
}


def spec_for(kind: str) -> KindSpec:
    return SPECS[ProviderKind(kind)]


def secret_names() -> set[str]:
    return {f.name for spec in SPECS.values() for f in spec.credentials if f.secret}
