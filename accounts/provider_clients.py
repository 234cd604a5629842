"""Turns a provider account into its API client: the only bridge from Django to the providers.

Tokens (Telsam, Telphin) are cached in the account's encrypted ``token_cache``
so every worker shares them and none asks for a new one on each call.
"""

from __future__ import annotations

from typing import Any

from django.views.decorators.debug import sensitive_variables

from providers.errors import RequestRefused
from providers.pasifik import DEFAULT_PBX_ZONE, PasifikClient
from providers.telphin import TelphinClient
from providers.telsam import TelsamClient
from providers.transport import Token
from providers.verimor import VerimorClient

from .fields import is_unreadable
from .models import ProviderAccount
from .provider_errors import AccountUnusable, render_text
from .provider_kinds import spec_for
from .provider_options import clean_options, refusal_reason, url_guard
from .stored_text import StoredText, stored

DEFAULT_TIMEOUT = (5.0, 20.0)


class AccountTokenStore:
    """A ``TokenStore`` that keeps the token encrypted on the provider account row."""

    def __init__(self, account: ProviderAccount) -> None:
        self.account = account

    @sensitive_variables("data")
    def load(self) -> Token | None:
        data = self.account.token_cache or {}
        return Token.from_dict(data) if data.get("access_token") else None

    @sensitive_variables("token")
    def save(self, token: Token | None) -> None:
        self.account.token_cache = token.to_dict() if token else {}
        ProviderAccount.objects.filter(pk=self.account.pk).update(token_cache=self.account.token_cache)


def _base(account: ProviderAccount) -> dict[str, Any]:
    return {"base_url": account.base_url} if account.base_url else {}


def account_problem(account: ProviderAccount) -> str:
    """Why ``account`` cannot be used as stored (in words for its team); empty when it can."""
    return render_text(account_problem_text(account))


def account_problem_text(account: ProviderAccount) -> StoredText | None:
    """``account_problem`` as a stored text (rendered in the reader's language); None when usable."""
    if is_unreadable(account.credentials):
        return stored("account.unreadable", label=account.label)
    if account.base_url:
        try:
            url_guard(account.kind).check_base_url(account.base_url)
        except RequestRefused as exc:
            refusal = stored(f"refusal.{refusal_reason(exc.reason)}")
            return stored("account.base_url", label=account.label, problem=refusal)
    _cleaned, errors = clean_options(account.kind, account.options or {})
    if errors:
        labels = {o.name: str(o.label) for o in spec_for(account.kind).options}
        name, problem = next(iter(errors.items()))
        return stored("account.option", option=labels.get(name, name), label=account.label, problem=problem)
    return None


class UnusableClient:
    """Stands in for the client of an account that cannot work as stored.

    Any use raises ``AccountUnusable``, a ProviderError, so it surfaces where each
    caller already turns provider errors into a message: a page that merely builds
    clients for every account keeps working.
    """

    def __init__(self, problem: StoredText, provider: str) -> None:
        self._problem = problem
        self._provider = provider

    def _error(self) -> AccountUnusable:
        return AccountUnusable(render_text(self._problem), provider=self._provider, text=self._problem)

    def __getattr__(self, name: str) -> Any:
        raise self._error()

    def __enter__(self) -> UnusableClient:
        raise self._error()

    def close(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


@sensitive_variables("creds", "overrides")
def client_for(account: ProviderAccount, *, redirect_uri: str = "", **overrides: Any) -> Any:
    """The client for ``account``; ``overrides`` reach the client's constructor (timeouts, session).

    Every client's requests go through the URL checks of ``provider_options.url_guard``.
    An account that cannot work as stored gets an ``UnusableClient``: its first use raises
    ``AccountUnusable`` (a ProviderError) saying why.
    """
    problem = account_problem_text(account)
    if problem:
        return UnusableClient(problem, account.kind)
    creds = account.credentials or {}
    options, _errors = clean_options(account.kind, account.options or {})
    common: dict[str, Any] = {
        "timeout": DEFAULT_TIMEOUT,
        **_base(account),
        **overrides,
        "guard": url_guard(account.kind),
    }
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
        extra = {k: options[k] for k in ("send_path", "download_path") if options.get(k)}
        if options.get("authorize_url"):
            extra["authorize_path"] = options["authorize_url"]  # stored under its old name; a path now
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
