"""The CDR browser: filters, keyset pages, charts, exports."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from telephony.models import CallRecord, Disposition
from telephony.selectors import keyset_page
from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(team_a):
    account = ProviderAccountFactory(team=team_a, label="Main line")
    now = timezone.now()
    return [
        CallRecordFactory(
            account=account,
            start=now - timedelta(minutes=10 * i),
            caller=f"+90532000{i:04d}",
            duration=i,
            disposition=Disposition.ANSWERED if i % 3 else Disposition.NO_ANSWER,
            has_recording=i % 2 == 0,
            recording_name=f"in-{i}.wav" if i % 2 == 0 else "",
        )
        for i in range(120)
    ]


def test_it_lists_the_newest_calls_first_in_pages_without_counting(alice_client, calls) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(reverse("calls-list"))
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert [r.pk for r in rows] == [c.pk for c in calls[:50]]
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert response.context["page"].next_cursor and response.context["page"].prev_cursor is None


def test_keyset_pages_walk_forward_and_back_without_gaps_or_repeats(calls) -> None:
    queryset = CallRecord.objects.all()
    seen, after = [], None
    while True:
        page = keyset_page(queryset, after=after, size=25)
        seen.extend(r.pk for r in page.rows)
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == [c.pk for c in calls]
    back = keyset_page(queryset, before=page.prev_cursor, size=25)
    assert [r.pk for r in back.rows] == [c.pk for c in calls[75:100]]


def test_it_sorts_by_duration_with_keyset_pages_too(calls) -> None:
    first = keyset_page(CallRecord.objects.all(), sort="duration", size=30)
    second = keyset_page(CallRecord.objects.all(), sort="duration", after=first.next_cursor, size=30)
    assert [r.duration for r in first.rows + second.rows] == list(range(60))


def test_it_filters_by_number_prefix_typed_nationally_and_by_contains(alice_client, calls) -> None:
    response = alice_client.get(reverse("calls-list"), {"number": "0532 000 001", "match": "prefix"})
    assert {r.caller for r in response.context["page"].rows} == {f"+90532000{i:04d}" for i in range(10, 20)}
    response = alice_client.get(reverse("calls-list"), {"number": "0119", "match": "contains"})
    assert [r.caller for r in response.context["page"].rows] == ["+905320000119"]


def test_it_filters_by_result_recording_and_minimum_duration(alice_client, calls) -> None:
    response = alice_client.get(
        reverse("calls-list"), {"disposition": "no_answer", "has_recording": "true", "min_duration": "100"}
    )
    durations = [r.duration for r in response.context["page"].rows]
    assert durations == [i for i in range(100, 120) if i % 3 == 0 and i % 2 == 0]  # newest (smallest i) first


def test_a_custom_range_and_a_preset_use_the_team_calendar(alice_client, team_a) -> None:
    account = ProviderAccountFactory(team=team_a)
    # 22:30 UTC on 1 March is 01:30 on 2 March in Istanbul.
    late = CallRecordFactory(account=account, start=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    response = alice_client.get(
        reverse("calls-list"), {"preset": "custom", "date_from": "2026-03-02", "date_to": "2026-03-02"}
    )
    assert [r.pk for r in response.context["page"].rows] == [late.pk]
    response = alice_client.get(
        reverse("calls-list"), {"preset": "custom", "date_from": "2026-03-01", "date_to": "2026-03-01"}
    )
    assert response.context["page"].rows == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"preset": "custom", "date_from": "2026-13-45", "date_to": "2026-01-01"}, "date_from"),
        ({"preset": "custom", "date_from": "2024-01-01", "date_to": "2026-01-01"}, "date_to"),
        ({"preset": "custom", "date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ({"preset": "custom", "date_from": "2026-02-01"}, "date_to"),
        ({"min_duration": "-5"}, "min_duration"),
        ({"min_duration": "abc"}, "min_duration"),
        ({"disposition": "exploded"}, "disposition"),
        ({"account": "999999"}, "account"),
        ({"preset": "forever"}, "preset"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
    ],
)
def test_bad_filter_values_are_form_errors_not_failures(alice_client, calls, params, field) -> None:
    response = alice_client.get(reverse("calls-list"), params)
    assert response.status_code == 200
    assert field in response.context["filter"].form.errors
    assert response.context["page"].rows == []
    assert b"is-invalid" in response.content


def test_a_tampered_cursor_shows_the_first_page(alice_client, calls) -> None:
    response = alice_client.get(reverse("calls-list"), {"after": "not-a-cursor!!"})
    assert response.status_code == 200
    assert response.context["page"].rows[0].pk == calls[0].pk


def test_another_teams_calls_never_show(alice_client, calls, team_b) -> None:
    theirs = CallRecordFactory(account=ProviderAccountFactory(team=team_b))
    response = alice_client.get(reverse("calls-list"), {"preset": "all"})
    assert theirs.pk not in [r.pk for r in response.context["page"].rows]
    assert alice_client.get(reverse("calls-detail", args=[theirs.pk])).status_code == 404


def test_the_chart_counts_answered_and_missed_per_day(alice_client, calls) -> None:
    response = alice_client.get(reverse("calls-chart"), {"preset": "all"})
    chart = response.context["chart"]
    assert chart.answered == sum(1 for c in calls if c.disposition == Disposition.ANSWERED)
    assert chart.missed == sum(1 for c in calls if c.disposition != Disposition.ANSWERED)
    assert b"<svg" in response.content


def test_the_csv_export_streams_the_filtered_calls_in_the_team_zone(alice_client, calls, alice) -> None:
    response = alice_client.get(reverse("calls-export"), {"format": "csv", "disposition": "no_answer"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Id", "Start"]
    assert len(rows) - 1 == sum(1 for c in calls if c.disposition == Disposition.NO_ANSWER)
    assert rows[1][1].endswith("+03:00")  # Europe/Istanbul, with its offset
    event = AuditEvent.objects.get(action="calls.export")
    assert event.actor == alice and event.data["format"] == "csv"


def test_the_xlsx_export_is_a_spreadsheet_with_every_row(alice_client, calls) -> None:
    response = alice_client.get(reverse("calls-export"), {"format": "xlsx"})
    data = b"".join(response.streaming_content)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row>") == len(calls) + 1
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl reads the file back when it is installed")
    rows = list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Id", "Start") and len(rows) == len(calls) + 1
    assert rows[1][0] == calls[0].pk and rows[1][6] == calls[0].caller
    # A real date-time in the team's zone (Istanbul), not text.
    local_start = timezone.localtime(calls[0].start, ZoneInfo("Europe/Istanbul")).replace(tzinfo=None)
    assert abs((rows[1][1] - local_start).total_seconds()) < 1


def test_the_detail_page_shows_the_call_and_its_raw_record(alice_client, calls) -> None:
    call = calls[0]
    call.raw = {"uniqueid": call.provider_id, "lastapp": "Dial"}
    call.save()
    response = alice_client.get(reverse("calls-detail", args=[call.pk]))
    assert response.status_code == 200
    assert b"lastapp" in response.content and b"0532 000 00 00" in response.content


def test_a_cursor_from_another_sort_order_starts_over(calls) -> None:
    by_start = keyset_page(CallRecord.objects.all(), size=10)
    by_caller = keyset_page(CallRecord.objects.all(), sort="caller", after=by_start.next_cursor, size=10)
    assert by_caller.prev_cursor is None
    assert by_caller.rows[0].caller == min(c.caller for c in calls)


def test_the_table_headers_sort_the_list(alice_client, calls) -> None:
    response = alice_client.get(reverse("calls-list"), {"sort": "-duration"})
    assert [r.duration for r in response.context["page"].rows][:3] == [119, 118, 117]
    assert b"sort=duration" in response.content  # the header now offers the other direction


def test_rows_show_a_direction_icon_and_a_coloured_result_badge(alice_client, calls) -> None:
    content = alice_client.get(reverse("calls-list")).content.decode()
    assert 'class="bi bi-telephone-inbound" title="Incoming"' in content
    assert '<span class="badge text-bg-success">Answered</span>' in content
    assert '<span class="badge text-bg-warning">No answer</span>' in content


def test_an_export_with_bad_filters_goes_back_to_the_list_and_says_why(alice_client, calls) -> None:
    response = alice_client.get(reverse("calls-export"), {"format": "csv", "min_duration": "x"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("calls-list"))
    assert b"Fix the filters before exporting." in response.content
    assert not AuditEvent.objects.filter(action="calls.export").exists()


def test_the_chart_puts_a_call_on_its_day_in_the_team_zone(alice_client, team_a) -> None:
    account = ProviderAccountFactory(team=team_a)
    CallRecordFactory(account=account, start=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # 2 March in Istanbul
    CallRecordFactory(account=account, start=datetime(2026, 3, 1, 20, 30, tzinfo=UTC), disposition=Disposition.BUSY)
    chart = alice_client.get(reverse("calls-chart"), {"preset": "all"}).context["chart"]
    assert [(bar.label, bar.answered, bar.missed) for bar in chart.bars] == [("01.03", 0, 1), ("02.03", 1, 0)]


def test_pages_walk_their_own_team_only_and_carry_the_account_label(team_a, team_b) -> None:
    ours = CallRecordFactory.create_batch(30, account=ProviderAccountFactory(team=team_a))
    theirs = CallRecordFactory.create_batch(5, account=ProviderAccountFactory(team=team_b, label="B line"))

    first = keyset_page(team_a.call_records.all(), size=10)
    second = keyset_page(team_a.call_records.all(), after=first.next_cursor, size=10)
    third = keyset_page(team_a.call_records.all(), after=second.next_cursor, size=10)
    other_team = keyset_page(team_b.call_records.all(), size=10)

    newest_first = sorted(ours, key=lambda c: (c.start, c.pk), reverse=True)
    assert [r.pk for r in first.rows + second.rows + third.rows] == [c.pk for c in newest_first]
    assert third.next_cursor is None
    assert {r.pk for r in other_team.rows} == {c.pk for c in theirs}
    assert {r.account_label for r in other_team.rows} == {"B line"}


def test_a_row_carries_what_the_list_shows(team_a) -> None:
    call = CallRecordFactory(
        account=ProviderAccountFactory(team=team_a, label="Main line"), direction="out", disposition="busy",
        has_recording=True, duration=42,
    )  # fmt: skip
    row = keyset_page(team_a.call_records.all()).rows[0]
    assert (row.pk, row.start, row.duration, row.has_recording) == (call.pk, call.start, 42, True)
    assert row.start.utcoffset() == timedelta(0)
    assert (row.get_direction_display(), row.get_disposition_display()) == (
        call.get_direction_display(), call.get_disposition_display(),
    )  # fmt: skip


def test_a_query_of_another_shape_is_compiled_for_itself(team_a) -> None:
    calls = [CallRecordFactory(account=ProviderAccountFactory(team=team_a), duration=i) for i in range(3)]
    annotated = team_a.call_records.annotate(double=F("duration") * 2).filter(double__gte=2)
    assert {r.pk for r in keyset_page(annotated).rows} == {c.pk for c in calls[1:]}
    assert keyset_page(team_a.call_records.none()).rows == []
