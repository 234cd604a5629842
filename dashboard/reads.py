"""What the dashboard asks providers, cached briefly per account (the balance: ``accounts.balance``).

A dashboard that many people keep open must not turn into a stream of
provider calls, and one slow provider must not slow every page: reads use a
short timeout with no retry, and their outcome (failures too, for less long)
is cached per account. Only plain values are cached, never the account (its
credentials must not land in a cache backend).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.balance import BalanceReading as SharedReading
from accounts.balance import balance_read, cached_balance, last_failure_at
from accounts.models import ProviderAccount
from accounts.provider_clients import client_for
from accounts.provider_errors import describe
from accounts.provider_specs.pasifik import PASIFIK
from notifications.services import balance_threshold
from providers.errors import ProviderError, ProviderUnavailable, RateLimited
from telephony.services import pbx_state_message, telephone_ids
from telephony.status import active_calls_data, live_calls_data

log = logging.getLogger(__name__)

CACHE_SECONDS = 30
FAILURE_CACHE_SECONDS = 15
# The last reading that worked is kept much longer: it is what "unknown" is measured against.
LAST_GOOD_SECONDS = 24 * 3600

T = TypeVar("T")


@dataclass
class Failure:
    message: str
    slow_or_down: bool  # the provider did not answer (in time): likely to pass


@dataclass
class BalanceReading:
    amount: Decimal | None = None
    currency: str = ""
    threshold: Decimal | None = None
    failure: Failure | None = None
    fetched_at: datetime | None = None  # when the amount was read
    pending: bool = False  # nothing known yet: the worker is reading it

    @property
    def is_low(self) -> bool:
        return self.amount is not None and self.threshold is not None and self.amount < self.threshold


@dataclass
class LiveReading:
    calls: list[dict[str, Any]] = field(default_factory=list)  # telephone live calls
    active_calls: int | None = None  # the PBX's count
    failure: Failure | None = None
    fetched_at: datetime = field(default_factory=timezone.now)

    @property
    def count(self) -> int:
        return len(self.calls) + (self.active_calls or 0)


@dataclass(frozen=True)
class LastGood:
    """How many calls were up at the last reading that worked, and when it was taken."""

    count: int
    fetched_at: datetime


def _failure(exc: Exception) -> Failure:
    if isinstance(exc, ProviderError):
        return Failure(describe(exc), slow_or_down=isinstance(exc, ProviderUnavailable | RateLimited))
    if isinstance(exc, ValueError):  # credentials incomplete
        return Failure(str(exc), slow_or_down=False)
    return Failure(_("The provider answered in a way we could not read."), slow_or_down=False)


def _cached(key: str, read: Callable[[], T], failed: Callable[[Failure], T]) -> T:
    found = cache.get(key)
    if found is not None:
        return found
    try:
        value = read()
    except Exception as exc:  # a dashboard panel says what went wrong; it never fails the page
        if not isinstance(exc, ProviderError | ValueError):
            log.exception("dashboard read %s failed", key)
        value = failed(_failure(exc))
    cache.set(key, value, FAILURE_CACHE_SECONDS if getattr(value, "failure", None) else CACHE_SECONDS)
    return value


def balance(account: ProviderAccount) -> BalanceReading:
    """The account's cached balance (``accounts.balance``, as New SMS and the low-balance check read it)."""
    found = balance_read(account)
    return BalanceReading(
        amount=found.amount,
        currency=found.currency,
        threshold=balance_threshold(account),
        failure=_balance_failure(found),
        fetched_at=found.fetched_at,
        pending=found.pending,
    )


def _balance_failure(found: SharedReading) -> Failure | None:
    return Failure(found.failure_text, slow_or_down=found.slow_or_down) if found.failure else None


def live_calls(account: ProviderAccount) -> LiveReading:
    ids = telephone_ids(account)

    def read() -> LiveReading:
        reading = LiveReading()
        with client_for(account, PASIFIK, quick=True) as client:
            if ids:
                try:
                    reading.calls = live_calls_data(client.tel_live(i_account_list=ids))
                except ProviderError as exc:
                    reading.failure = _failure(exc)
            try:
                active = active_calls_data(client.pbx_active_calls())
            except ProviderError as exc:
                if not pbx_state_message(exc):  # an account without a running PBX has simply no channels
                    reading.failure = reading.failure or _failure(exc)
            else:
                reading.active_calls = active.get("active_calls") or len(active.get("channels", []))
        return reading

    reading = _cached(f"dashboard:live:{account.pk}", read, lambda failure: LiveReading(failure=failure))
    if reading.failure is None:
        cache.set(f"dashboard:live-good:{account.pk}", LastGood(reading.count, reading.fetched_at), LAST_GOOD_SECONDS)
    return reading


def last_good_live(account: ProviderAccount) -> LastGood | None:
    found = cache.get(f"dashboard:live-good:{account.pk}")
    return found if isinstance(found, LastGood) else None


@dataclass(frozen=True)
class Observation:
    """The newest thing the dashboard itself saw of an account: a reading that worked or one that failed."""

    failure: Failure | None
    at: datetime


def latest_observation(account: ProviderAccount) -> Observation | None:
    """The newest cached balance or live reading of ``account``; never asks the provider."""
    seen: list[Observation] = []
    live = cache.get(f"dashboard:live:{account.pk}")
    if isinstance(live, LiveReading):
        seen.append(Observation(failure=live.failure, at=live.fetched_at))
    found, failed_at = cached_balance(account), last_failure_at(account)
    if found.failure and failed_at is not None:
        seen.append(Observation(failure=_balance_failure(found), at=failed_at))
    elif found.fetched_at is not None:
        seen.append(Observation(failure=None, at=found.fetched_at))
    return max(seen, key=lambda observation: observation.at, default=None)
