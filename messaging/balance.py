"""The balance New SMS shows, and the SMS part price: the account's cached balance (``accounts.balance``),
never a provider call from a waiting page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from accounts.balance import balance_read, cached_balance
from accounts.models import ProviderAccount
from accounts.provider_options import options_of
from accounts.provider_specs.pasifik import PASIFIK


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


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None


def account_balance(*, account: ProviderAccount) -> Balance:
    """The cached balance and what one SMS part costs (option ``sms_part_price``, else balance / package)."""
    reading = balance_read(account)
    price = _decimal(options_of(account, PASIFIK).sms_part_price)
    if price is None and reading.amount is not None and reading.sms_parts > 0:
        price = (reading.amount / reading.sms_parts).quantize(Decimal("0.0001"))
    return Balance(reading.amount, reading.currency, price, reading.failure_text, reading.fetched_at)


def provider_unreachable(*, account: ProviderAccount) -> bool:
    """True when the last balance read found the provider slow or down (and none succeeded since)."""
    return cached_balance(account).failure == "slow"
