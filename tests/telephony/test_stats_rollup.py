"""The analytics rollup: which days it serves, and how it follows the call records (tests/telephony/stats_data.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.urls import reverse

from telephony.analytics import Filters, Period
from telephony.models import CallRecord
from telephony.stats_figures import StatsFigures
from telephony.stats_models import CallStatDay, CallStatHour, CallStatState
from telephony.stats_rollup import call_stats_refresh
from tests.telephony.factories import CallRecordFactory
from tests.telephony.stats_data import FIRST, ISTANBUL, LAST, PERIOD, at, make_week

URL = reverse("calls-stats")
WEEK = Period(FIRST, LAST)
AFTER_THE_WEEK = datetime(2026, 3, 10, 12, 0, tzinfo=ISTANBUL)


@pytest.fixture
def week(team_a, team_b):
    return make_week(team_a, team_b)


def total(client, **params: str) -> int:
    return client.get(URL, {**PERIOD, **params}).context["summary"].total


def test_whole_days_come_from_the_rollup_and_the_rest_from_the_records(team_a, week) -> None:
    call_stats_refresh(team=team_a, now=datetime(2026, 3, 5, 10, 0, tzinfo=ISTANBUL))
    figures = StatsFigures(team_a, WEEK, Filters(), ISTANBUL)
    assert figures.rolled_period == Period(date(2026, 3, 2), date(2026, 3, 4))
    assert figures.live_period == Period(date(2026, 3, 5), date(2026, 3, 8))
    assert StatsFigures(team_a, WEEK, Filters(number="101"), ISTANBUL).rolled_period is None


def test_the_page_reads_the_rollup_and_a_refresh_follows_a_deleted_call(team_a, week, bob_client) -> None:
    call_stats_refresh(team=team_a, now=AFTER_THE_WEEK)
    CallRecord.objects.filter(team=team_a, start=at(3, 10, 5)).delete()
    assert total(bob_client) == 6  # the rollup still counts it: it is what the page reads
    assert total(bob_client, number="+90532") == 5  # 6 matched before the deletion  # a number filter reads the records
    assert call_stats_refresh(team=team_a, now=AFTER_THE_WEEK) == 1  # Tuesday alone is made again
    assert total(bob_client) == 5


def test_a_late_import_makes_its_day_again_and_unchanged_days_stay(team_a, week, bob_client) -> None:
    assert call_stats_refresh(team=team_a, now=AFTER_THE_WEEK) == 7
    assert call_stats_refresh(team=team_a, now=AFTER_THE_WEEK) == 0
    CallRecordFactory(account=week["pbx"], start=at(4, 9, 0))
    assert call_stats_refresh(team=team_a, now=AFTER_THE_WEEK) == 1
    assert total(bob_client) == 7
    assert CallStatDay.objects.get(team=team_a, day=date(2026, 3, 4)).calls == 2


def test_a_day_whose_calls_are_all_gone_is_forgotten(team_a, week) -> None:
    call_stats_refresh(team=team_a, now=AFTER_THE_WEEK)
    CallRecord.objects.filter(team=team_a, start=at(4, 14, 0)).delete()
    assert call_stats_refresh(team=team_a, now=AFTER_THE_WEEK) == 1
    assert not CallStatDay.objects.filter(team=team_a, day=date(2026, 3, 4)).exists()
    assert not CallStatHour.objects.filter(team=team_a, day=date(2026, 3, 4)).exists()


def test_another_time_zone_reads_the_records_until_the_rollup_follows(team_a, week, bob_client) -> None:
    call_stats_refresh(team=team_a, now=AFTER_THE_WEEK)
    team_a.time_zone = "UTC"
    team_a.save(update_fields=["time_zone"])
    assert StatsFigures(team_a, WEEK, Filters(), team_a.tzinfo).rolled_period is None
    heat = bob_client.get(URL, PERIOD).context["heatmap"].rows
    assert heat[6].cells[21].count == 1  # Monday 00:15 in Istanbul is Sunday 21:15 in UTC
    call_stats_refresh(team=team_a, now=AFTER_THE_WEEK)
    assert set(CallStatHour.objects.filter(team=team_a).values_list("zone", flat=True)) == {"UTC"}
    assert StatsFigures(team_a, WEEK, Filters(), team_a.tzinfo).rolled_period == WEEK
    heat = bob_client.get(URL, PERIOD).context["heatmap"].rows
    assert heat[6].cells[21].count == 1


def test_the_periodic_task_refreshes_every_team_with_calls(team_a, team_b, week, settings) -> None:
    from telephony.tasks import call_stats_refresh_all

    assert call_stats_refresh_all().endswith("days made again")
    assert set(CallStatState.objects.values_list("team", flat=True)) == {team_a.pk, team_b.pk}
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "telephony.refresh_call_stats" in tasks
