"""Telsam yenifaks: fax, behind OAuth2 (a password grant, or Connect: the authorization-code grant)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from providers.telsam import TelsamClient

from ..provider_errors import AccountUnusable, render_text
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
from ..stored_text import stored

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class TelsamOptions:
    fax_numbers: tuple[str, ...] = fax_numbers_option()
    fax_quality: str = fax_quality_option()
    fax_format: str = fax_format_option()
    # No public document gives these URLs: see docs/providers.md, "Telsam yenifaks".
    # Stored as "authorize_url" since before it became a path: a path under the base URL, like the others.
    authorize_url: str = option(
        gettext_lazy("Authorize path"),
        help_text=gettext_lazy("A path under the base URL. Empty: /oauth/authorize (Laravel Passport)."),
        path_placeholders=frozenset(),
    )
    send_path: str = option(gettext_lazy("Send path"), default="/fax/send", path_placeholders=frozenset())
    download_path: str = option(
        gettext_lazy("Download path"), default="/fax/{id}/download", path_placeholders=frozenset({"id"})
    )


@sensitive_variables("credentials")
def build(credentials: Mapping[str, str], options: TelsamOptions, connection: Connection) -> TelsamClient:
    paths: dict[str, Any] = {"send_path": options.send_path, "download_path": options.download_path}
    if options.authorize_url:
        paths["authorize_path"] = options.authorize_url
    return TelsamClient(
        client_id=credentials.get("client_id", ""),
        client_secret=credentials.get("client_secret", ""),
        username=credentials.get("username", ""),
        password=credentials.get("password", ""),
        redirect_uri=connection.redirect_uri,
        token_store=connection.token_store,
        **paths,
        **connection.client_kwargs(),
    )


NO_TOKEN = stored("telsam_no_token")


def check(client: TelsamClient) -> str:
    kept = client.auth.store.load()
    if client.username:
        client.token_password()
    elif kept is None:
        raise AccountUnusable(render_text(NO_TOKEN), provider="telsam", text=NO_TOKEN)
    else:
        client.auth.token()  # refreshes an expired token
    return _("Connected. A Telsam token was issued.")


def clean_credentials(data: Mapping[str, str], creating: bool) -> dict[str, StrOrPromise]:
    """A password grant needs both halves; neither means "use Connect"."""
    if creating and bool(data.get("username")) != bool(data.get("password")):
        missing = "password" if data.get("username") else "username"
        return {missing: gettext_lazy("Give both username and password, or neither to use Connect.")}
    return {}


TELSAM: ProviderSpec[TelsamClient, TelsamOptions] = ProviderSpec(
    kind="telsam",
    label=gettext_lazy("Telsam yenifaks"),
    credentials=(
        CredentialField(
            "username",
            gettext_lazy("Username"),
            secret=False,
            required=False,
            help_text=gettext_lazy("Leave username and password empty to authorize with the Connect button instead."),
        ),
        CredentialField("password", gettext_lazy("Password"), required=False),
        CredentialField("client_id", gettext_lazy("Client id"), secret=False),
        CredentialField("client_secret", gettext_lazy("Client secret")),
    ),
    options_type=TelsamOptions,
    build=build,
    check=check,
    capabilities=frozenset({Capability.FAX}),
    uses_tokens=True,
    clean_credentials=clean_credentials,
)
