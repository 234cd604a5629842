"""What an SMS account allows (parts per text, chunk size, operator reserve, sender ids) and how far
ahead a send may be scheduled: read from the account's options and the settings."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import ProviderAccount, Team
from accounts.provider_options import options_of
from accounts.provider_specs.pasifik import PASIFIK, PasifikOptions


def operator_reserve(account: ProviderAccount) -> int:
    return min(20, max(0, options_of(account, PASIFIK).sms_operator_reserve))


def sms_max_parts(account: ProviderAccount) -> int:
    """The most SMS parts one recipient's text may cost on this account (option ``sms_max_parts``)."""
    return min(255, max(1, options_of(account, PASIFIK).sms_max_parts))


def sms_chunk_size(account: ProviderAccount) -> int:
    """How many recipients one submit carries (option ``sms_chunk_size``; 0 reads as the default)."""
    return min(5000, max(1, options_of(account, PASIFIK).sms_chunk_size or PasifikOptions.sms_chunk_size))


def sms_confirm_parts() -> int:
    """Above this many parts per recipient the sender confirms first."""
    return max(1, int(getattr(settings, "SMS_CONFIRM_PARTS", 4)))


def sms_schedule_limit() -> datetime:
    """The latest time a send may be scheduled for."""
    return timezone.now() + timedelta(days=int(getattr(settings, "SMS_SCHEDULE_MAX_DAYS", 365)))


def too_many_parts(*, parts: int, limit: int) -> str:
    return ngettext(
        "This text needs %(parts)d SMS per recipient; the account allows at most %(limit)d. Shorten it.",
        "This text needs %(parts)d SMS per recipient; the account allows at most %(limit)d. Shorten it.",
        parts,
    ) % {"parts": parts, "limit": limit}


def too_far_ahead() -> str:
    days = int(getattr(settings, "SMS_SCHEDULE_MAX_DAYS", 365))
    return ngettext(
        "A send can be scheduled at most %(days)d day ahead.",
        "A send can be scheduled at most %(days)d days ahead.",
        days,
    ) % {"days": days}


def sender_ids(account: ProviderAccount) -> list[str]:
    return [s for s in options_of(account, PASIFIK).sender_ids if s]


def pasifik_sms_accounts(team: Team) -> QuerySet[ProviderAccount]:
    return team.provider_accounts.filter(kind=PASIFIK.kind).order_by("label")
