"""Database reads of the dashboard: today's figures and 14-day series, in the team's time zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import ProviderAccount, Team
from accounts.provider_specs.pasifik import PASIFIK
from fax.models import Direction, Fax
from messaging.models import SmsRecipient
from telephony.models import MISSED, CallRecord, Disposition
from telephony.selectors import DayCount, UtcHour, calls_per_day

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DAYS = 14
RECENT_FAXES = 5


def day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def fill_days(counts: list[DayCount], today: date, days: int = DAYS) -> list[DayCount]:
    """Every day of the window, those without data as zeros, so a quiet day shows as a gap."""
    known = {c.day: c for c in counts}
    first = today - timedelta(days=days - 1)
    window = [first + timedelta(days=i) for i in range(days)]
    return [known.get(day, DayCount(day=day, answered=0, missed=0)) for day in window]


# --- SMS ---------------------------------------------------------------------------------------------


@dataclass
class SmsToday:
    by_state: list[tuple[str, StrOrPromise, int]]  # (state, label, count), in the model's order
    total: int


def _sms_recipients(team: Team, since: datetime) -> QuerySet[SmsRecipient]:
    return SmsRecipient.objects.filter(batch__team=team, batch__created_at__gte=since)


def sms_today(team: Team, today: date, zone: tzinfo) -> SmsToday:
    rows = dict(
        _sms_recipients(team, day_start(today, zone))
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    states = [(value, label, rows.get(value, 0)) for value, label in SmsRecipient.State.choices]
    return SmsToday(by_state=[s for s in states if s[2]], total=sum(rows.values()))


def sms_per_day(team: Team, today: date, zone: tzinfo) -> list[DayCount]:
    """Messages per day of ``zone``: delivered (as "answered") and all others (as "missed")."""
    return _cached_series("sms", team, today, zone, lambda: _sms_per_day(team, today, zone))


def _sms_per_day(team: Team, today: date, zone: tzinfo) -> list[DayCount]:
    since = day_start(today - timedelta(days=DAYS - 1), zone)
    rows = (
        _sms_recipients(team, since)
        .order_by()
        .annotate(hour=UtcHour("batch__created_at"))
        .values("hour")
        .annotate(
            delivered=Count("pk", filter=Q(state=SmsRecipient.State.DELIVERED)),
            others=Count("pk", filter=~Q(state=SmsRecipient.State.DELIVERED)),
        )
    )
    days: dict[date, DayCount] = {}
    for row in rows:
        day = datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(zone).date()
        bucket = days.setdefault(day, DayCount(day=day, answered=0, missed=0))
        bucket.answered += row["delivered"]
        bucket.missed += row["others"]
    return fill_days(list(days.values()), today)


# --- calls -------------------------------------------------------------------------------------------


@dataclass
class CallsToday:
    answered: int
    missed: int
    minutes: int

    @property
    def total(self) -> int:
        return self.answered + self.missed


def calls_today(team: Team, today: date, zone: tzinfo) -> CallsToday:
    found = CallRecord.objects.filter(team=team, start__gte=day_start(today, zone)).aggregate(
        answered=Count("pk", filter=Q(disposition=Disposition.ANSWERED)),
        missed=Count("pk", filter=Q(disposition__in=MISSED)),
        seconds=Sum("duration", filter=Q(disposition=Disposition.ANSWERED)),
    )
    return CallsToday(answered=found["answered"], missed=found["missed"], minutes=round((found["seconds"] or 0) / 60))


def calls_days(team: Team, today: date, zone: tzinfo) -> list[DayCount]:
    def compute() -> list[DayCount]:
        since = day_start(today - timedelta(days=DAYS - 1), zone)
        return fill_days(calls_per_day(CallRecord.objects.filter(team=team, start__gte=since), zone), today)

    return _cached_series("calls", team, today, zone, compute)


# The 14-day series group most of a busy team's records (the load test: 600,000 call
# rows, a third of a second per view); a chart two minutes old is still the truth at a glance.
SERIES_TTL = 120


def _cached_series(
    name: str, team: Team, today: date, zone: tzinfo, compute: Callable[[], list[DayCount]]
) -> list[DayCount]:
    key = f"dashboard:{name}-days:{team.pk}:{today.isoformat()}:{zone}"
    series = cache.get(key)
    if series is None:
        series = compute()
        cache.set(key, series, SERIES_TTL)
    return series


# --- fax and providers ----------------------------------------------------------------------------------


def recent_faxes(team: Team, direction: str, limit: int = RECENT_FAXES) -> list[Fax]:
    return list(
        Fax.objects.filter(team=team, direction=direction).select_related("account").order_by("-created_at")[:limit]
    )


def recent_faxes_in_and_out(team: Team) -> tuple[list[Fax], list[Fax]]:
    return recent_faxes(team, Direction.INCOMING), recent_faxes(team, Direction.OUTGOING)


def provider_accounts(team: Team) -> QuerySet[ProviderAccount]:
    return team.provider_accounts.filter(is_active=True).order_by("kind", "label")


def pasifik_accounts(team: Team) -> QuerySet[ProviderAccount]:
    return provider_accounts(team).filter(kind=PASIFIK.kind)
