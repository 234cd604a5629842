"""Turns a provider account into its API client: the only bridge from Django to the providers.

Tokens (Telsam, Telphin) are cached in the account's encrypted ``token_cache``
so every worker shares them and none asks for a new one on each call.
"""

from __future__ import annotations

from typing import Any

from telcoportal.providers.pasifik import DEFAULT_PBX_ZONE, PasifikClient
from telcoportal.providers.telphin import TelphinClient
from telcoportal.providers.telsam import TelsamClient
from telcoportal.providers.transport import Token
from telcoportal.providers.verimor import VerimorClient

from .models import ProviderAccount

DEFAULT_TIMEOUT = (5.0, 20.0)


class AccountTokenStore:
    """A ``TokenStore`` that keeps the token encrypted on the provider account row."""

    def __init__(self, account: ProviderAccount) -> None:
        self.account = account

    def load(self) -> Token | None:
        data = self.account.token_cache or {}
        return Token.from_dict(data) if data.get("access_token") else None

    def save(self, token: Token | None) -> None:
        self.account.token_cache = token.to_dict() if token else {}
        ProviderAccount.objects.filter(pk=self.account.pk).update(token_cache=self.account.token_cache)


def _base(account: ProviderAccount) -> dict[str, Any]:
    return {"base_url": account.base_url} if account.base_url else {}


def client_for(account: ProviderAccount, *, redirect_uri: str = "", **overrides: Any) -> Any:
    """The client for ``account``; ``overrides`` reach the client's constructor (timeouts, session)."""
    creds = account.credentials or {}
    options = account.options or {}
    common: dict[str, Any] = {"timeout": DEFAULT_TIMEOUT, **_base(account), **overrides}
    if account.kind == "pasifik":
        return PasifikClient(
            username=creds.get("username", ""),
            password=creds.get("password", ""),
            language=options.get("language") or "tr",
            auth_scheme=options.get("auth_scheme") or "bare",
            pbx_zone=(options.get("pbx_zone") or "").strip() or DEFAULT_PBX_ZONE,
            **common,
        )
    if account.kind == "telsam":
        extra = {k: options[k] for k in ("authorize_url", "send_path", "download_path") if options.get(k)}
        return TelsamClient(
            client_id=creds.get("client_id", ""),
            client_secret=creds.get("client_secret", ""),
            username=creds.get("username", ""),
            password=creds.get("password", ""),
            redirect_uri=redirect_uri,
            token_store=AccountTokenStore(account),
            **extra,
            **common,
        )
    if account.kind == "verimor":
        return VerimorClient(key=creds.get("api_key", ""), **common)
    if account.kind == "telphin":
        extra = {k: options[k] for k in ("received_list_path", "received_file_path") if options.get(k)}
        return TelphinClient(
            client_id=creds.get("client_id", ""),
            client_secret=creds.get("client_secret", ""),
            extension_id=creds.get("extension_id", ""),
            token_store=AccountTokenStore(account),
            **extra,
            **common,
        )
    raise ValueError(f"unknown provider kind {account.kind!r}")
