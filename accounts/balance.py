"""An account's provider balance, from a short cache: the one read behind New SMS, the dashboard's
balance panel and the low-balance check.

A page reads what the cache holds and, when it is older than
``BALANCE_CACHE_SECONDS`` (or missing), asks the worker to read it again
(``balance_refresh_task``: a quick client, short timeout, one try). The last
good reading is kept for a day, so a provider that stops answering leaves the
page with "balance unavailable", why, and the age of what it last knew. Only
plain values are cached, never the account, and a failure as a kind (put into
words in the reader's language), never the provider's text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from providers.errors import AuthenticationFailed, PermissionDenied, ProviderError, ProviderUnavailable, RateLimited

from .models import ProviderAccount
from .provider_clients import client_for
from .provider_specs.pasifik import PASIFIK

log = logging.getLogger(__name__)

KEEP_GOOD = 24 * 3600  # seconds: the last good reading, shown with its age when the provider stops answering
KEEP_FAILURE = 300
REFRESH_LOCK = 30  # one queued refresh per account at a time
REREAD_AFTER_FAILURE = 15  # seconds: a provider that just failed is not asked again by every page view
DEFAULT_CACHE_SECONDS = 60


@dataclass(frozen=True)
class BalanceReading:
    amount: Decimal | None  # None: nothing read yet, or nothing read for a day
    currency: str = ""
    sms_parts: int = 0  # how many SMS parts the balance buys (the provider's package count)
    fetched_at: datetime | None = None  # when the amount was read
    failure: str = ""  # why the last read failed, when it is newer than the amount: slow, credentials, busy, …

    @property
    def age(self) -> timedelta | None:
        return timezone.now() - self.fetched_at if self.fetched_at else None

    @property
    def pending(self) -> bool:
        """Nothing known yet and nothing failed: the worker is reading it."""
        return self.amount is None and not self.failure

    @property
    def failure_text(self) -> str:
        return failure_text(self.failure) if self.failure else ""

    @property
    def slow_or_down(self) -> bool:
        """The provider did not answer (in time) or asked us to slow down: likely to pass."""
        return self.failure in ("slow", "busy")


def failure_text(kind: str) -> str:
    texts = {
        "slow": _("The provider did not answer in time."),
        "credentials": _("The provider refused the credentials of this account."),
        "incomplete": _("The provider account is incomplete."),
        "busy": _("The provider asks us to slow down."),
    }
    return texts.get(kind, _("The provider reported an error."))


def _key(account_id: int, what: str) -> str:
    return f"balance:{what}:{account_id}"


def balance_read(account: ProviderAccount) -> BalanceReading:
    """What the cache knows; asks the worker for a fresh read when it knows nothing recent. Never calls the provider."""
    max_age = timedelta(seconds=int(getattr(settings, "BALANCE_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)))
    reading = cached_balance(account)
    now = timezone.now()
    failed_at = last_failure_at(account)
    failed_lately = failed_at is not None and now - failed_at < timedelta(seconds=REREAD_AFTER_FAILURE)
    if (reading.fetched_at is None or now - reading.fetched_at > max_age) and not failed_lately:
        _queue_refresh(account.pk)
    return reading


def cached_balance(account: ProviderAccount) -> BalanceReading:
    """What the cache knows, as it is (no refresh asked)."""
    good = cache.get(_key(account.pk, "good"))
    failure = cache.get(_key(account.pk, "failure"))
    if good is None:
        return BalanceReading(None, failure=failure["kind"] if failure else "")
    fetched_at = parse_datetime(good["fetched_at"])
    failed_at = parse_datetime(failure["at"]) if failure else None
    newer_failure = failure is not None and failed_at is not None and fetched_at is not None and failed_at > fetched_at
    return BalanceReading(
        Decimal(good["amount"]),
        good["currency"],
        int(good["parts"]),
        fetched_at,
        failure["kind"] if newer_failure else "",
    )


def last_failure_at(account: ProviderAccount) -> datetime | None:
    """When the last read failed (kept ``KEEP_FAILURE`` seconds)."""
    failure = cache.get(_key(account.pk, "failure"))
    return parse_datetime(failure["at"]) if failure else None


def _queue_refresh(account_id: int) -> None:
    if not cache.add(_key(account_id, "lock"), 1, REFRESH_LOCK):
        return  # one is queued already
    from .tasks import balance_refresh_task

    # A broker that is down must not break the page: it shows what it knows, and the next read asks again.
    balance_refresh_task.apply_async_on_commit(
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
    """Reads the balance with a quick client (short timeout, one try); the outcome goes to the cache."""
    account = ProviderAccount.objects.filter(pk=account_id, kind=PASIFIK.kind).first()
    if account is None:
        return "skipped: no such account"
    try:
        with client_for(account, PASIFIK, quick=True) as client:
            found = client.user_settings()
    except (ProviderError, ValueError) as exc:
        kind = _failure_kind(exc)
        cache.set(_key(account_id, "failure"), {"kind": kind, "at": timezone.now().isoformat()}, KEEP_FAILURE)
        log.info("balance of account %s unavailable: %s", account_id, type(exc).__name__)
        return f"failed: {kind}"
    finally:
        cache.delete(_key(account_id, "lock"))
    good: dict[str, Any] = {
        "amount": str(found.balance),
        "currency": found.currency,
        "parts": int(found.sms_balance_pkt or 0),
        "fetched_at": timezone.now().isoformat(),
    }
    cache.set(_key(account_id, "good"), good, KEEP_GOOD)
    cache.delete(_key(account_id, "failure"))
    return f"read: {found.balance} {found.currency}"
