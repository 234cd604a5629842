"""Verimor Bulutsantralim: fax (pending orders, fax detail records, send)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from providers.verimor import VerimorClient

from ..provider_spec import (
    Capability,
    Connection,
    CredentialField,
    ProviderSpec,
    fax_format_option,
    fax_numbers_option,
    fax_quality_option,
    option,
)


@dataclass(frozen=True)
class VerimorOptions:
    fax_numbers: tuple[str, ...] = fax_numbers_option()
    fax_quality: str = fax_quality_option()
    fax_format: str = fax_format_option()
    station_header: str = option(
        gettext_lazy("Fax header"), help_text=gettext_lazy("The sender name printed on each page.")
    )


@sensitive_variables("credentials")
def build(credentials: Mapping[str, str], options: VerimorOptions, connection: Connection) -> VerimorClient:
    return VerimorClient(key=credentials.get("api_key", ""), **connection.client_kwargs())


def check(client: VerimorClient) -> str:
    now = timezone.now()
    page = client.fdrs(start_stamp_from=now - timedelta(days=1), start_stamp_to=now, limit=10)
    return _("Connected. %(count)s fax records in the last day.") % {"count": page.pagination.total_count}


VERIMOR: ProviderSpec[VerimorClient, VerimorOptions] = ProviderSpec(
    kind="verimor",
    label=gettext_lazy("Verimor Bulutsantralim"),
    credentials=(CredentialField("api_key", gettext_lazy("API key")),),
    options_type=VerimorOptions,
    build=build,
    check=check,
    capabilities=frozenset({Capability.FAX}),
)
