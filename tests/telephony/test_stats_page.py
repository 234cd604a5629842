"""/calls/stats/: every figure of a fixed week against a hand count (tests/telephony/stats_data.py)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from telephony.stats_rollup import call_stats_refresh
from tests.telephony.stats_data import ISTANBUL, PERIOD, make_week

URL = reverse("calls-stats")


@pytest.fixture(params=["live", "rolled up", "half rolled up"])
def week(request, team_a, team_b):
    """The week, read from the call records, from the rollup, or from both (2-4 March rolled up, 5-8 not)."""
    accounts = make_week(team_a, team_b)
    if request.param == "rolled up":
        assert (
            call_stats_refresh(team=team_a, now=datetime(2026, 3, 10, 12, 0, tzinfo=ISTANBUL)) == 7
        )  # days with calls
    elif request.param == "half rolled up":
        call_stats_refresh(team=team_a, now=datetime(2026, 3, 5, 10, 0, tzinfo=ISTANBUL))
    return accounts


def stats(client: Client, **params: str):
    response = client.get(URL, {**PERIOD, **params})
    assert response.status_code == 200
    return response


def test_the_summary_matches_the_hand_count(bob_client, week) -> None:
    summary = stats(bob_client).context["summary"]
    assert (summary.total, summary.answered, summary.missed) == (6, 4, 2)
    assert summary.answer_rate == pytest.approx(400 / 6)
    assert summary.talk_seconds == 500  # 100 + 60 + 300 + 40
    assert summary.average_talk == pytest.approx(125)
    assert summary.median_talk == pytest.approx(80)  # (60 + 100) / 2
    assert summary.average_wait == pytest.approx(15)  # (30 + 10 + 5) / 3: the telephone call has none
    assert summary.calls_with_wait == 3


def test_an_odd_number_of_answered_calls_has_the_middle_one_as_median(bob_client, week) -> None:
    summary = stats(bob_client, direction="in").context["summary"]
    assert summary.answered == 2  # 100 and 60
    assert summary.median_talk == pytest.approx(80)
    summary = stats(bob_client, account=str(week["pbx"].pk)).context["summary"]  # calls 1-4, 6: 100, 60, 40
    assert summary.median_talk == pytest.approx(60)


def test_the_heatmap_counts_each_call_in_the_teams_weekday_and_hour(bob_client, week) -> None:
    counts = stats(bob_client).context["heatmap"].rows
    cells = {(row.weekday, cell.hour): cell.count for row in counts for cell in row.cells if cell.count}
    # Monday 23:30 Istanbul is Monday's 23 hour; Monday 00:15 Istanbul (Sunday 21:15 UTC) Monday's 0 hour.
    assert cells == {(0, 23): 1, (0, 0): 1, (1, 10): 2, (2, 14): 1, (6, 23): 1}


def test_the_days_are_the_teams_days_with_the_previous_period_beside_them(bob_client, week) -> None:
    rows = list(stats(bob_client).context["days"].rows)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (date(2026, 3, 2), 1, 1),
        (date(2026, 3, 3), 1, 1),
        (date(2026, 3, 4), 1, 0),
        (date(2026, 3, 5), 0, 0),
        (date(2026, 3, 6), 0, 0),
        (date(2026, 3, 7), 0, 0),
        (date(2026, 3, 8), 1, 0),  # 23:59 on Sunday counts; 00:10 on the Monday after does not
    ]
    assert rows[0][4] == date(2026, 2, 23)
    assert [r[5] for r in rows] == [0, 0, 1, 0, 0, 0, 1]  # 25 February and 1 March 23:59


def test_the_lines_table_counts_our_side_of_each_call(bob_client, week) -> None:
    rows = list(stats(bob_client).context["lines"].rows)
    assert rows == [
        ("101", 3, 2, 1, 140, 17.5),
        ("102", 2, 1, 1, 60, 10.0),
        ("(0212) 123 45 67", 1, 1, 0, 300, None),  # a telephone call: no wait
    ]


def test_the_longest_calls_and_the_top_callers(bob_client, week) -> None:
    context = stats(bob_client).context
    assert [row["talk"] for row in context["longest"]] == [300, 100, 60, 40]
    callers = bob_client.get(reverse("calls-stats-callers"), PERIOD).context["callers"]
    assert list(callers.rows) == [("0532 111 11 11", 3, 1, 2), ("0532 222 22 22", 1, 1, 0)]


@pytest.mark.parametrize(
    ("params", "total"),
    [({"direction": "out"}, 2), ({"direction": "in"}, 4), ({"number": "101"}, 3), ({"number": "0532 222"}, 1)],
)
def test_filters_narrow_every_figure(bob_client, week, params, total) -> None:
    context = stats(bob_client, **params).context
    assert context["summary"].total == total
    assert sum(row[3] for row in context["days"].rows) == total
    assert sum(cell.count for row in context["heatmap"].rows for cell in row.cells) == total


def test_the_account_filter(bob_client, week) -> None:
    assert stats(bob_client, account=str(week["tel"].pk)).context["summary"].total == 1
    assert stats(bob_client, account=str(week["pbx"].pk)).context["summary"].total == 5


def test_another_teams_calls_and_accounts_never_count(bob_client, charlie, week, team_b) -> None:
    theirs = team_b.provider_accounts.get()
    response = bob_client.get(URL, {**PERIOD, "account": str(theirs.pk)})
    assert response.status_code == 200
    assert "summary" not in response.context
    assert response.context["form"].errors["account"]
    charlie_sees = stats(_client(charlie)).context["summary"]
    assert charlie_sees.total == 1 and charlie_sees.talk_seconds == 999


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_period_over_the_limit_is_refused_with_a_message(bob_client, week, settings) -> None:
    settings.CALL_STATS_MAX_DAYS = 7
    assert stats(bob_client).context["summary"].total == 6
    response = bob_client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-08"})
    assert "summary" not in response.context
    assert "A period of at most 7 days can be analysed; this one has 8." in response.content.decode()


def test_an_end_before_the_start_is_refused(bob_client, week) -> None:
    response = bob_client.get(URL, {"date_from": "2026-03-08", "date_to": "2026-03-02"})
    assert "The end date is before the start date." in response.content.decode()
    assert response.context["form"].data["date_from"] == "2026-03-08"  # what was typed stays


def test_an_empty_period_is_explained(bob_client, week) -> None:
    response = stats(bob_client, date_from="2025-03-02", date_to="2025-03-08")
    body = response.content.decode()
    assert 'data-testid="stats-empty"' in body
    assert "No calls in this period." in body
    assert 'data-testid="stats-heatmap"' not in body


def test_the_page_draws_its_charts_with_a_table_under_each(bob_client, week) -> None:
    body = stats(bob_client).content.decode()
    for testid in ("stats-trend-chart", "stats-days", "stats-heatmap", "stats-hours", "stats-lines",
                   "stats-longest"):  # fmt: skip
        assert f'data-testid="{testid}"' in body
    assert reverse("calls-stats-callers") in body  # loaded after the page
    callers = bob_client.get(reverse("calls-stats-callers"), PERIOD).content.decode()
    assert 'data-testid="stats-callers"' in callers
    assert body.count("<svg") >= 2


def test_the_page_speaks_turkish(bob_client, week) -> None:
    bob_client.cookies["django_language"] = "tr"
    response = bob_client.get(URL, PERIOD, HTTP_ACCEPT_LANGUAGE="tr")
    body = response.content.decode()
    assert "Arama istatistikleri" in body
    assert "Pzt" in body  # Monday's row of the heatmap


def test_the_default_period_is_the_last_30_days(bob_client, week) -> None:
    response = bob_client.get(URL)
    period = response.context["period"]
    assert period.days == 30


def test_each_table_exports_as_csv(bob_client, week) -> None:
    response = bob_client.get(URL, {**PERIOD, "table": "lines", "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Number or extension"
    assert rows[1:] == [["101", "3", "2", "1", "140", "17.5"], ["102", "2", "1", "1", "60", "10.0"],
                        ["(0212) 123 45 67", "1", "1", "0", "300", ""]]  # fmt: skip


@pytest.mark.parametrize("table", ["summary", "days", "hours", "lines", "longest", "callers"])
def test_each_table_exports_as_xlsx(bob_client, week, table) -> None:
    response = bob_client.get(URL, {**PERIOD, "table": table, "export": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) > 1
    if table == "summary":
        assert rows[1:4] == [("Calls", 6), ("Answered", 4), ("Missed", 2)]
    if table == "hours":
        assert rows[1][0] == "Monday" and rows[1][1] == 1 and rows[1][24] == 1


def test_an_unknown_table_is_not_found(bob_client, week) -> None:
    assert bob_client.get(URL, {**PERIOD, "table": "nope", "export": "csv"}).status_code == 404


def test_the_calls_page_links_to_the_statistics(bob_client) -> None:
    assert URL in bob_client.get(reverse("calls-list")).content.decode()


def test_the_callers_fragment_refuses_bad_filters_quietly_and_keeps_to_the_team(bob_client, week, team_b) -> None:
    url = reverse("calls-stats-callers")
    response = bob_client.get(url, {"date_from": "2026-03-08", "date_to": "2026-03-02"})
    assert response.status_code == 200 and list(response.context["callers"].rows) == []
    theirs = team_b.provider_accounts.get()
    assert list(bob_client.get(url, {**PERIOD, "account": str(theirs.pk)}).context["callers"].rows) == []
