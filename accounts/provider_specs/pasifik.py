"""Pasifik Telekom (API V2): SMS, telephone CDRs and live calls, the PBX, fax."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from providers.pasifik import DEFAULT_PBX_ZONE, PasifikClient

from ..provider_spec import (
    Capability,
    Connection,
    CredentialField,
    ProviderSpec,
    fax_format_option,
    fax_numbers_option,
    fax_quality_option,
    option,
    validate_time_zone,
)


@dataclass(frozen=True)
class PasifikOptions:
    language: str = option(
        gettext_lazy("Response language"),
        kind="choice",
        choices=(("tr", gettext_lazy("Turkish")), ("en", gettext_lazy("English")), ("ar", gettext_lazy("Arabic"))),
        default="tr",
    )
    auth_scheme: str = option(
        gettext_lazy("Authorization header"),
        kind="choice",
        choices=(
            ("bare", gettext_lazy("Bare value (as the provider's library sends it)")),
            ("basic", gettext_lazy("Basic scheme")),
        ),
        default="bare",
    )
    sender_ids: tuple[str, ...] = option(
        gettext_lazy("Sender ids"), kind="list", help_text=gettext_lazy("Approved SMS sender ids, one per line.")
    )
    # SMS (issue 4): how a batch is cut and what the counter keeps back. With a default, an int
    # option is optional (older forms post without these). No bounds here: messaging/services/limits.py
    # clamps them, so a value saved before the bounds existed keeps working.
    sms_chunk_size: int = option(
        gettext_lazy("SMS chunk size"),
        kind="int",
        default=500,
        help_text=gettext_lazy("Numbers per submit request when sending a batch (1 to 5000)."),
    )
    sms_operator_reserve: int = option(
        gettext_lazy("Characters kept for the operator code"),
        kind="int",
        default=0,
        help_text=gettext_lazy("Operators append a code to commercial messages: 5 by the regulator's rule."),
    )
    sms_max_parts: int = option(
        gettext_lazy("Most SMS parts per message"),
        kind="int",
        default=10,
        min_value=1,
        max_value=255,  # a concatenated SMS counts its parts in one byte
        help_text=gettext_lazy("A longer text is refused (1 to 255); a long one is sent only after a confirmation."),
    )
    sms_part_price: str = option(
        gettext_lazy("Price of one SMS part"),
        help_text=gettext_lazy("For the cost estimate; empty: derived from the balance and the SMS package."),
    )
    telephone_ids: tuple[str, ...] = option(
        gettext_lazy("Telephone account ids"), kind="list", help_text=gettext_lazy("One per line, for call records.")
    )
    # Dashboard and notifications (issue 7).
    low_balance_threshold: str = option(
        gettext_lazy("Low-balance threshold"),
        help_text=gettext_lazy("Warn on the dashboard and notify the team when the balance falls under this amount."),
    )
    # Calls (issue 10): PBX CDR calldates are the PBX's wall clock, in this zone.
    pbx_zone: str = option(
        gettext_lazy("PBX time zone"),
        default=DEFAULT_PBX_ZONE,
        help_text=gettext_lazy("The zone of the PBX's clock, for call times without an exact timestamp."),
        validators=(validate_time_zone,),
    )
    fax_numbers: tuple[str, ...] = fax_numbers_option()
    fax_quality: str = fax_quality_option()
    fax_format: str = fax_format_option()


@sensitive_variables("credentials")
def build(credentials: Mapping[str, str], options: PasifikOptions, connection: Connection) -> PasifikClient:
    return PasifikClient(
        username=credentials.get("username", ""),
        password=credentials.get("password", ""),
        language=options.language,
        auth_scheme=options.auth_scheme,
        pbx_zone=options.pbx_zone.strip() or DEFAULT_PBX_ZONE,
        retry=connection.retry,
        **connection.client_kwargs(),
    )


def check(client: PasifikClient) -> str:
    # Reference: pasifik-telekom-api-v2.txt, "Get Settings" — the balance.
    settings = client.user_settings()
    return _("Connected. Balance: %(balance)s %(currency)s.") % {
        "balance": settings.balance,
        "currency": settings.currency,
    }


PASIFIK: ProviderSpec[PasifikClient, PasifikOptions] = ProviderSpec(
    kind="pasifik",
    label=gettext_lazy("Pasifik Telekom"),
    credentials=(
        CredentialField("username", gettext_lazy("Username"), secret=False),
        CredentialField("password", gettext_lazy("Password")),
    ),
    options_type=PasifikOptions,
    build=build,
    check=check,
    capabilities=frozenset({Capability.SMS, Capability.CALLS, Capability.PBX, Capability.FAX}),
)
