"""Telphin: fax on a cloud-PBX extension (received list, send, status, retry, cancel)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from providers.telphin import TelphinClient

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


def _digits_only(value: str) -> None:
    if value and not value.isdigit():
        raise ValidationError(gettext_lazy("An extension id is a number."))


@dataclass(frozen=True)
class TelphinOptions:
    fax_numbers: tuple[str, ...] = fax_numbers_option()
    fax_quality: str = fax_quality_option()
    fax_format: str = fax_format_option()
    # No public document gives these URLs: see docs/providers.md, "Telphin".
    received_list_path: str = option(
        gettext_lazy("Received faxes path"),
        default="/extension/{extension_id}/fax/in/",
        path_placeholders=frozenset({"extension_id"}),
    )
    received_file_path: str = option(
        gettext_lazy("Received fax file path"),
        default="/extension/{extension_id}/fax/in/{uuid}/file/",
        path_placeholders=frozenset({"extension_id", "uuid"}),
    )


@sensitive_variables("credentials")
def build(credentials: Mapping[str, str], options: TelphinOptions, connection: Connection) -> TelphinClient:
    return TelphinClient(
        client_id=credentials.get("client_id", ""),
        client_secret=credentials.get("client_secret", ""),
        extension_id=credentials.get("extension_id", ""),
        token_store=connection.token_store,
        received_list_path=options.received_list_path,
        received_file_path=options.received_file_path,
        **connection.client_kwargs(),
    )


def check(client: TelphinClient) -> str:
    client.auth.token()  # the cached token, or a new one from the client-credentials grant
    outgoing = client.fax_out_list()
    return _("Connected. %(count)s outgoing faxes listed.") % {"count": len(outgoing)}


TELPHIN: ProviderSpec[TelphinClient, TelphinOptions] = ProviderSpec(
    kind="telphin",
    label=gettext_lazy("Telphin"),
    credentials=(
        CredentialField("client_id", gettext_lazy("Client id"), secret=False),
        CredentialField("client_secret", gettext_lazy("Client secret")),
        CredentialField(
            "extension_id", gettext_lazy("Extension id"), secret=False, routing=True, validators=(_digits_only,)
        ),
    ),
    options_type=TelphinOptions,
    build=build,
    check=check,
    capabilities=frozenset({Capability.FAX}),
    uses_tokens=True,
)
