"""Test connection: the spec's one cheap, harmless call, recorded on the account."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from providers.errors import ProviderError

from .audit import audit_record
from .models import ProviderAccount, User
from .provider_clients import client_for
from .provider_errors import describe, describe_stored
from .provider_registry import spec_for
from .provider_signals import provider_checked
from .provider_specs.telsam import TELSAM
from .stored_text import StoredText


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    text: StoredText | str = ""  # ``message`` as a stored text, for what is kept and read later


def provider_account_check(
    *, account: ProviderAccount, actor: User | None = None, request: HttpRequest | None = None
) -> CheckResult:
    """Calls the provider once and records the outcome on the account (and in the audit log for a person)."""
    try:
        spec = spec_for(account.kind)
        message = spec.check(client_for(account, spec))
        result = CheckResult(ok=True, message=message)
    except ProviderError as exc:
        result = CheckResult(ok=False, message=describe(exc), text=describe_stored(exc))
    except ValueError as exc:  # missing credentials, or Telsam not connected yet
        result = CheckResult(ok=False, message=str(exc))
    was_healthy = account.is_healthy
    _record_outcome(account, result)
    # A person testing sees the outcome; the periodic check tells the team when working credentials stop working.
    told = bool(was_healthy) and actor is None
    provider_checked.send(
        sender=ProviderAccount, account=account, ok=result.ok, error=result.text or result.message, was_healthy=told
    )
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
        client_for(account, TELSAM, redirect_uri=redirect_uri).token_from_code(code=code)
        result = CheckResult(ok=True, message=_("%(label)s is connected to Telsam.") % {"label": account.label})
    except ProviderError as exc:
        result = CheckResult(ok=False, message=describe(exc), text=describe_stored(exc))
    _record_outcome(account, result)
    audit_record(
        team=account.team, actor=actor, action="provider.connect", target=account, request=request, ok=result.ok
    )
    return result
