"""Test connection: one cheap, harmless call per provider kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from providers.errors import ProviderError

from .audit import audit_record
from .models import ProviderAccount, User
from .provider_clients import client_for
from .provider_errors import AccountUnusable, describe, describe_stored, render_text
from .stored_text import StoredText, stored


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    text: StoredText | str = ""  # ``message`` as a stored text, for what is kept and read later


def _check_pasifik(client: Any) -> str:
    # Reference: pasifik-telekom-api-v2.txt, "Get Settings" — the balance.
    settings = client.user_settings()
    return _("Connected. Balance: %(balance)s %(currency)s.") % {
        "balance": settings.balance,
        "currency": settings.currency,
    }


NO_TOKEN = stored("telsam_no_token")


def _check_telsam(client: Any) -> str:
    stored = client.auth.store.load()
    if client.username:
        client.token_password()
    elif stored is None:
        raise AccountUnusable(render_text(NO_TOKEN), provider="telsam", text=NO_TOKEN)
    else:
        client.auth.token()  # refreshes an expired token
    return _("Connected. A Telsam token was issued.")


def _check_verimor(client: Any) -> str:
    now = timezone.now()
    page = client.fdrs(start_stamp_from=now - timedelta(days=1), start_stamp_to=now, limit=10)
    return _("Connected. %(count)s fax records in the last day.") % {"count": page.pagination.total_count}


def _check_telphin(client: Any) -> str:
    client.auth.token()  # the cached token, or a new one from the client-credentials grant
    outgoing = client.fax_out_list()
    return _("Connected. %(count)s outgoing faxes listed.") % {"count": len(outgoing)}


CHECKS: dict[str, Callable[[Any], str]] = {
    "pasifik": _check_pasifik,
    "telsam": _check_telsam,
    "verimor": _check_verimor,
    "telphin": _check_telphin,
}


def provider_account_check(
    *, account: ProviderAccount, actor: User | None = None, request: HttpRequest | None = None
) -> CheckResult:
    """Calls the provider once and records the outcome on the account (and in the audit log for a person)."""
    try:
        message = CHECKS[account.kind](client_for(account))
        result = CheckResult(ok=True, message=message)
    except ProviderError as exc:
        result = CheckResult(ok=False, message=describe(exc), text=describe_stored(exc))
    except ValueError as exc:  # missing credentials, or Telsam not connected yet
        result = CheckResult(ok=False, message=str(exc))
    was_healthy = account.is_healthy
    _record_outcome(account, result)
    from notifications.services import provider_check_recorded

    # A person testing sees the outcome; the periodic check tells the team when working credentials stop working.
    told = bool(was_healthy) and actor is None
    provider_check_recorded(account=account, ok=result.ok, error=result.text or result.message, was_healthy=told)
    if actor is not None:
        audit_record(
            team=account.team, actor=actor, action="provider.check", target=account, request=request, ok=result.ok
        )
    return result


def _record_outcome(account: ProviderAccount, result: CheckResult) -> None:
    account.last_checked_at = timezone.now()
    failure = "" if result.ok else (result.text or result.message)
    account.last_error, account.last_error_stored = ("", failure) if isinstance(failure, dict) else (failure, {})
    ProviderAccount.objects.filter(pk=account.pk).update(
        last_checked_at=account.last_checked_at,
        last_error=account.last_error,
        last_error_stored=account.last_error_stored,
    )


@sensitive_variables("code")
def telsam_connect_complete(
    *, account: ProviderAccount, code: str, redirect_uri: str, actor: User, request: HttpRequest | None = None
) -> CheckResult:
    """Trades the authorization code from Telsam's redirect for a token (kept encrypted on the account)."""
    try:
        client_for(account, redirect_uri=redirect_uri).token_from_code(code=code)
        result = CheckResult(ok=True, message=_("%(label)s is connected to Telsam.") % {"label": account.label})
    except ProviderError as exc:
        result = CheckResult(ok=False, message=describe(exc), text=describe_stored(exc))
    _record_outcome(account, result)
    audit_record(
        team=account.team, actor=actor, action="provider.connect", target=account, request=request, ok=result.ok
    )
    return result
