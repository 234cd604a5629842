"""The balance New SMS shows, and the SMS part price: from a short cache, never from a waiting page.

A page reads what the cache holds and, when it is older than
``SMS_BALANCE_CACHE_SECONDS`` (or missing), asks the worker to read it again
(``sms_balance_refresh_task``, with a short timeout and no retry). The last
good reading is kept for a day so a provider that stops answering leaves the
page with "balance unavailable" and the age of what it last knew. Only plain
values are cached, never the account, and failures as a kind (rendered in the
reader's language), never the provider's text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import ProviderAccount
from accounts.provider_clients import client_for
from accounts.provider_specs.pasifik import PASIFIK
from providers.errors import (
    AuthenticationFailed,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from providers.transport import RetryPolicy

log = logging.getLogger(__name__)

KEEP_GOOD = 24 * 3600  # seconds: the last good reading, shown with its age when the provider stops answering
KEEP_FAILURE = 300
REFRESH_LOCK = 30  # one queued refresh per account at a time


@dataclass(frozen=True)
class Balance:
    amount: Decimal | None
    currency: str
    part_price: Decimal | None
    error: str = ""  # why the balance is unavailable (or may be out of date)
    fetched_at: datetime | None = None  # when the amount was read

    @property
    def age(self) -> timedelta | None:
        return timezone.now() - self.fetched_at if self.fetched_at else None


def _key(account_id: int, what: str) -> str:
    return f"sms:balance:{what}:{account_id}"


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None


def failure_text(kind: str) -> str:
    texts = {
        "slow": _("The provider did not answer in time."),
        "credentials": _("The provider refused the credentials of this account."),
        "incomplete": _("The provider account is incomplete."),
        "busy": _("The provider asks us to slow down."),
    }
    return texts.get(kind, _("The provider reported an error."))


def account_balance(*, account: ProviderAccount) -> Balance:
    """What the cache knows; asks for a refresh when it knows nothing recent. Never calls the provider."""
    good = cache.get(_key(account.pk, "good"))
    failure = cache.get(_key(account.pk, "failure"))
    fetched_at = parse_datetime(good["fetched_at"]) if good else None
    max_age = timedelta(seconds=int(getattr(settings, "SMS_BALANCE_CACHE_SECONDS", 60)))
    if fetched_at is None or timezone.now() - fetched_at > max_age:
        _queue_refresh(account.pk)
    price = _decimal((account.options or {}).get("sms_part_price"))
    if good is None:
        error = failure_text(failure["kind"]) if failure else ""
        return Balance(None, "", price, error)
    amount = Decimal(good["amount"])
    if price is None and good["parts"] > 0:
        price = (amount / good["parts"]).quantize(Decimal("0.0001"))
    error = failure_text(failure["kind"]) if failure and _newer(failure, good) else ""
    return Balance(amount, good["currency"], price, error, fetched_at)


def provider_unreachable(*, account: ProviderAccount) -> bool:
    """True when the last balance read found the provider slow or down (and none succeeded since)."""
    failure = cache.get(_key(account.pk, "failure"))
    return bool(failure) and failure["kind"] == "slow" and _newer(failure, cache.get(_key(account.pk, "good")))


def _newer(failure: dict[str, str], good: dict[str, Any] | None) -> bool:
    # Both written by this module with isoformat().
    return good is None or datetime.fromisoformat(failure["at"]) > datetime.fromisoformat(good["fetched_at"])


def _queue_refresh(account_id: int) -> None:
    if not cache.add(_key(account_id, "lock"), 1, REFRESH_LOCK):
        return  # one is queued already

    from .tasks import sms_balance_refresh_task

    # A broker that is down must not break the page: it shows what it knows, and the next read asks again.
    sms_balance_refresh_task.apply_async_on_commit(
        (account_id,), expires=REFRESH_LOCK, on_queue_error=lambda: cache.delete(_key(account_id, "lock"))
    )


def _failure_kind(exc: Exception) -> str:
    if isinstance(exc, ProviderUnavailable):
        return "slow"
    if isinstance(exc, AuthenticationFailed | PermissionDenied):
        return "credentials"
    if isinstance(exc, RateLimited):
        return "busy"
    if isinstance(exc, ValueError):
        return "incomplete"
    return "error"


def balance_refresh(*, account_id: int) -> str:
    """Reads the balance with a short timeout and one try; the outcome goes to the cache."""
    account = ProviderAccount.objects.filter(pk=account_id, kind="pasifik").first()
    if account is None:
        return "skipped: no such account"
    timeout = tuple(getattr(settings, "SMS_PROVIDER_TIMEOUT", (2.0, 4.0)))
    try:
        with client_for(account, PASIFIK, timeout=timeout, retry=RetryPolicy(attempts=1)) as client:
            found = client.user_settings()
    except (ProviderError, ValueError) as exc:
        kind = _failure_kind(exc)
        cache.set(_key(account_id, "failure"), {"kind": kind, "at": timezone.now().isoformat()}, KEEP_FAILURE)
        log.info("SMS balance of account %s unavailable: %s", account_id, type(exc).__name__)
        return f"failed: {kind}"
    finally:
        cache.delete(_key(account_id, "lock"))
    good = {
        "amount": str(found.balance),
        "currency": found.currency,
        "parts": int(found.sms_balance_pkt or 0),
        "fetched_at": timezone.now().isoformat(),
    }
    cache.set(_key(account_id, "good"), good, KEEP_GOOD)
    cache.delete(_key(account_id, "failure"))
    return f"read: {found.balance} {found.currency}"
