"""Turns a provider account into its API client: the only bridge from Django to the providers.

``client_for(account, PASIFIK)`` is typed: it returns a ``PasifikClient``.
``client_for(account)`` serves code that handles any kind (the connection
check); it is typed only as a client that closes. Every client gets the one
timeout policy (``Timeouts``): normal, or ``quick=True`` for pages and panels
that must answer at once (a short timeout and a single try).

Tokens (Telsam, Telphin) are cached in the account's encrypted ``token_cache``
so every worker shares them and none asks for a new one on each call.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from django.views.decorators.debug import sensitive_variables

from providers.errors import RequestRefused
from providers.transport import RetryPolicy, Token

from .fields import is_unreadable
from .models import ProviderAccount
from .provider_errors import AccountUnusable, refusal_reason, render_text
from .provider_options import clean_options, typed_options, url_guard
from .provider_registry import spec_for
from .provider_spec import Connection, ProviderClient, ProviderSpec, Timeouts
from .stored_text import StoredText, stored

ClientT = TypeVar("ClientT")


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


def account_problem_text(account: ProviderAccount) -> StoredText | None:
    """Why ``account`` cannot be used as stored, as a stored text (read in the reader's language); None when usable."""
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


@overload
def client_for(
    account: ProviderAccount,
    spec: ProviderSpec[ClientT, Any],
    *,
    quick: bool = False,
    redirect_uri: str = "",
    **overrides: Any,
) -> ClientT: ...


@overload
def client_for(
    account: ProviderAccount, spec: None = None, *, quick: bool = False, redirect_uri: str = "", **overrides: Any
) -> ProviderClient: ...


@sensitive_variables("creds", "overrides")
def client_for(
    account: ProviderAccount,
    spec: ProviderSpec[Any, Any] | None = None,
    *,
    quick: bool = False,
    redirect_uri: str = "",
    **overrides: Any,
) -> Any:
    """The client for ``account`` (of ``spec``'s kind when given: ValueError otherwise).

    ``quick``: a short timeout and a single try (``Timeouts.quick()``), for pages that must answer.
    ``overrides`` reach the client's constructor (tests: session, sleep).
    Every client's requests go through the URL checks of ``provider_options.url_guard``.
    An account that cannot work as stored gets an ``UnusableClient``: its first use raises
    ``AccountUnusable`` (a ProviderError) saying why.
    """
    if spec is None:
        spec = spec_for(account.kind)
    elif not spec.owns(account):
        raise ValueError(f"a {account.kind} account has no {spec.kind} client")
    problem = account_problem_text(account)
    if problem:
        return UnusableClient(problem, account.kind)  # stands in for any client: its first use raises
    creds = account.credentials or {}
    connection = Connection(
        timeout=Timeouts.quick() if quick else Timeouts.NORMAL,
        retry=RetryPolicy(attempts=1) if quick else None,
        guard=url_guard(account.kind),
        base_url=account.base_url,
        token_store=AccountTokenStore(account) if spec.uses_tokens else None,
        redirect_uri=redirect_uri,
        overrides=overrides,
    )
    return spec.build(creds, typed_options(spec, account.options or {}), connection)
