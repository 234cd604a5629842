"""Keeping the analytics rollup (telephony/stats_models.py) and reading the page's figures from it.

``call_stats_refresh`` (the periodic task ``telephony.refresh_call_stats``) compares, per day of
the team's zone before today, the count, last import time and highest id of the team's call
records with what each day's rollup was made from, and makes again the days that differ (new
or late imports, deleted records) and forgets days whose records are all gone. Each day is made
in one transaction, by aggregate queries, so a reader never sees half a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from accounts.models import Team

from .analytics import ANSWERED_Q, LINE, MISSED_Q, TALK, WAIT, WAIT_Q, Filters, Period
from .models import CallRecord
from .stats_models import CallStatDay, CallStatHour, CallStatState, CallStatTalk


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


Fingerprint = tuple[int, datetime | None, int | None]


def _fingerprint(row: Mapping[str, Any]) -> Fingerprint:
    return (row["calls"], row["last_imported"], row["max_id"])


def _with_account_id(row: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values["account_id"] = values.pop("account")
    return values


def day_rebuild(*, team: Team, day: date) -> None:
    """Makes one day's rollup again from the team's call records of that day."""
    zone, name = team.tzinfo, team.time_zone
    with transaction.atomic():
        calls = CallRecord.objects.filter(
            team=team, start__gte=_midnight(day, zone), start__lt=_midnight(day + timedelta(days=1), zone)
        ).order_by()
        # Read before the rows: a record that arrives meanwhile changes the fingerprint, so the next run sees it.
        fingerprint = calls.aggregate(calls=Count("id"), last_imported=Max("imported_at"), max_id=Max("id"))
        for model in (CallStatHour, CallStatTalk, CallStatDay):
            model.objects.filter(team=team, zone=name, day=day).delete()
        if not fingerprint["calls"]:
            return
        hours = (
            calls.annotate(hour=ExtractHour("start", tzinfo=zone), line=LINE)
            .values("hour", "account", "direction", "line")
            .annotate(
                calls=Count("id"),
                answered=Count("id", filter=ANSWERED_Q),
                missed=Count("id", filter=MISSED_Q),
                talk_seconds=Sum(TALK, filter=ANSWERED_Q, default=0),
                wait_seconds=Sum(WAIT, filter=WAIT_Q, default=0),
                wait_calls=Count("id", filter=WAIT_Q),
                max_talk=Max(TALK, filter=ANSWERED_Q, default=0),
            )
        )
        CallStatHour.objects.bulk_create(
            [CallStatHour(team=team, zone=name, day=day, **_with_account_id(row)) for row in hours],
            batch_size=1000,
        )
        talks = (
            calls.filter(ANSWERED_Q)
            .annotate(talk=TALK)
            .values("account", "direction", "talk")
            .annotate(calls=Count("id"))
        )
        CallStatTalk.objects.bulk_create(
            [CallStatTalk(team=team, zone=name, day=day, **_with_account_id(row)) for row in talks],
            batch_size=1000,
        )
        CallStatDay.objects.create(team=team, zone=name, day=day, **fingerprint)


def call_stats_refresh(*, team: Team, now: datetime | None = None) -> int:
    """Brings the team's rollup up to date for every day before today; returns how many days were made again."""
    now = now or timezone.now()
    zone, name = team.tzinfo, team.time_zone
    today = timezone.localtime(now, zone).date()
    for model in (CallStatHour, CallStatTalk, CallStatDay):  # rows of a zone the team has left
        model.objects.filter(team=team).exclude(zone=name).delete()
    live = {
        row["day"]: _fingerprint(row)
        for row in CallRecord.objects.filter(team=team, start__lt=_midnight(today, zone))
        .annotate(day=TruncDate("start", tzinfo=zone))
        .values("day")
        .annotate(calls=Count("id"), last_imported=Max("imported_at"), max_id=Max("id"))
        .order_by()
    }
    stored = {
        row["day"]: _fingerprint(row)
        for row in CallStatDay.objects.filter(team=team, zone=name).values("day", "calls", "last_imported", "max_id")
    }
    stale = sorted(day for day in live.keys() | stored.keys() if live.get(day) != stored.get(day))
    for day in stale:
        try:
            day_rebuild(team=team, day=day)
        except IntegrityError:  # another run made this day at the same moment; its rows stand
            continue
    CallStatState.objects.update_or_create(team=team, defaults={"zone": name, "refreshed_at": now})
    return len(stale)


def call_stats_refresh_all() -> int:
    return sum(call_stats_refresh(team=team) for team in Team.objects.filter(call_records__isnull=False).distinct())


# --- reading ----------------------------------------------------------------------------------


def rolled_up_days(team: Team, period: Period, filters: Filters, zone: tzinfo) -> tuple[Period | None, Period | None]:
    """(the days read from the rollup, the days read from the call records) of ``period``.

    A number filter matches the start of any caller or callee, which the rollup does not keep:
    it reads the records. Otherwise the days the last refresh saw end are read from the rollup
    (at most a refresh interval behind the imports), the others (today) from the records.
    """
    if filters.number.strip():
        return None, period
    state = CallStatState.objects.filter(team=team, zone=team.time_zone).first()
    if state is None:
        return None, period
    complete_until = timezone.localtime(state.refreshed_at, zone).date() - timedelta(days=1)
    if complete_until < period.first:
        return None, period
    if complete_until >= period.last:
        return period, None
    return Period(period.first, complete_until), Period(complete_until + timedelta(days=1), period.last)


@dataclass
class Rolled:
    hours: QuerySet[CallStatHour]
    talks: QuerySet[CallStatTalk]


def rolled(team: Team, period: Period, filters: Filters) -> Rolled:
    scope: dict[str, object] = {"team": team, "zone": team.time_zone, "day__gte": period.first, "day__lte": period.last}
    if filters.account is not None:
        scope["account"] = filters.account
    if filters.direction:
        scope["direction"] = filters.direction
    return Rolled(
        hours=CallStatHour.objects.filter(**scope).order_by(), talks=CallStatTalk.objects.filter(**scope).order_by()
    )
