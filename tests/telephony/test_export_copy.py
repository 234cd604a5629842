"""On PostgreSQL the calls export's CSV is written by ``COPY … TO STDOUT`` (telephony/export_copy.py): its bytes
are the Python path's bytes, for every label, both languages, zones across DST and midnight, countries named
from the provider's text or from the callee, formula-like and empty texts."""

from __future__ import annotations

import csv
import importlib
import io
from datetime import UTC, datetime
from decimal import Decimal

import phonenumbers
import pytest
from django.db import connection, transaction
from django.utils import timezone, translation
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from core import exports
from telephony import export, export_copy, region_prefixes
from telephony.models import CallRecord, Direction, Disposition, Source
from telephony.selectors import export_rows
from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

# Around New York's spring DST change (07:00 UTC on 9 March 2025), UTC midnight and Istanbul's midnight.
STARTS = [
    datetime(2025, 3, 9, 6, 59, 59, 900000, tzinfo=UTC),
    datetime(2025, 3, 9, 7, 0, 0, tzinfo=UTC),
    datetime(2025, 11, 2, 5, 30, tzinfo=UTC),  # New York's autumn change: the hour that happens twice
    datetime(2025, 6, 30, 21, 0, tzinfo=UTC),  # midnight in Istanbul
    datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC),
    datetime(2025, 7, 1, 0, 0, tzinfo=UTC),
]
# (country as the provider wrote it, callee): named from the text, from a single-region calling code, from
# a number only phonenumbers places (+1, +44, +7), or not at all (the text shown as written).
PLACES = [
    ("TURKEY", "+905321234567"),
    ("GERMANY", "101"),
    ("", "+4930123456"),
    ("", "+12125551234"),
    ("", "+447911123456"),
    ("", "+74951234567"),
    ("", "+8001234567"),
    ("ATLANTIS", "+80012345678"),
    ("", "+90"),
    ("", "+999123456"),
    ("", "101"),
    ("ATLANTIS", "101"),
    ("Atlantis", "+905321234567"),
    ("NARNIA", "+1"),
    ("  ", ""),
    # A text nothing places ("Germany" in Turkish) with callees only phonenumbers places: named from the callee.
    ("ALMANYA", "+12125551234"),
    ("ALMANYA", "+442071234567"),
    ("Germany", "+74951234567"),
    ("ALMANYA", "+1,2"),  # an odd callee starting with "+": quoted where COPY hands it over
    ("", "+13407731234"),  # the US Virgin Islands: a name with a comma, quoted in a row that had no quote
]
TEXTS = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-5", "- 5", "@SUM(A1)", "\tx", "\rx", "+90 532", "a,b",
         'say "hi"', "two\nlines", "", "Türkçe ğüşıöç İ", "1.5", "-", "+"]  # fmt: skip


@pytest.fixture
def mixed_calls(team_a):
    accounts = [ProviderAccountFactory(team=team_a, label=label) for label in ("=cmd()", "Santral, İstanbul")]
    calls = []
    for n in range(60):
        country, callee = PLACES[n % len(PLACES)]
        text = TEXTS[n % len(TEXTS)]
        calls.append(
            CallRecordFactory(
                account=accounts[n % 2],
                start=STARTS[n % len(STARTS)],
                answer=None if n % 3 == 0 else STARTS[n % len(STARTS)],
                end=None if n % 4 == 0 else STARTS[(n + 1) % len(STARTS)],
                duration=n * 7,
                billed_seconds=n,
                caller=TEXTS[(n + 3) % len(TEXTS)] if n % 5 == 0 else "+905321234567",
                callee=text if n % 7 == 0 else callee,
                direction=Direction.values[n % len(Direction.values)],
                disposition=Disposition.values[n % len(Disposition.values)],
                source=Source.values[n % len(Source.values)],
                cost=None if n % 2 else Decimal("1.5") * n,
                country=country,
                description=text,
                provider_id=TEXTS[n % len(TEXTS)] + str(n) if n % 3 == 1 else f"id-{n}",
                has_recording=n % 2 == 0,
            )
        )
    return calls


def _python_path(queryset, zone) -> bytes:
    target = io.BytesIO()
    exports.export_write(target, file_format="csv", headers=export.headers(),
                         rows=export.labelled_rows(export_rows(queryset)), zone=zone)  # fmt: skip
    return target.getvalue()


def _copy_path(queryset, zone_name, team) -> tuple[bytes, int, list[int]]:
    target = io.BytesIO()
    marks: list[int] = []
    with transaction.atomic():
        count = export_copy.write_csv(target, queryset=queryset, team_id=team.pk, zone_name=zone_name,
                                      progress=marks.append, every=25)  # fmt: skip
    return target.getvalue(), count, marks


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("zone_name", ["America/New_York", "Europe/Istanbul", "UTC"])
def test_copy_writes_the_bytes_the_python_path_writes(team_a, mixed_calls, language, zone_name) -> None:
    team_a.time_zone = zone_name
    team_a.save()
    queryset = CallRecord.objects.filter(team=team_a)
    with translation.override(language), timezone.override(team_a.tzinfo):
        expected = _python_path(queryset, team_a.tzinfo)
        written, count, marks = _copy_path(queryset, zone_name, team_a)
    assert count == len(mixed_calls) and marks == [25, 50, 60]
    assert written.decode().splitlines() == expected.decode().splitlines()  # a readable difference first
    assert written == expected


def test_what_the_copy_path_holds(team_a, mixed_calls) -> None:
    """Not only equal to the Python path: the cells themselves, read back."""
    queryset = CallRecord.objects.filter(team=team_a, pk__in=[c.pk for c in mixed_calls[:20]])
    with translation.override("tr"):
        written, _count, _marks = _copy_path(queryset, "Europe/Istanbul", team_a)
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["No", "Başlangıç"] and len(rows) == 21
    by_id = {int(r[0]): r for r in rows[1:]}
    first, third = by_id[mixed_calls[0].pk], by_id[mixed_calls[2].pk]
    assert first[1] == "2025-03-09T09:59:59+03:00"  # Istanbul, seconds cut as isoformat cuts them
    assert first[11] == "Türkiye" and first[12] == '\'=HYPERLINK("http://x")' and first[2] == ""
    assert third[11] == "Almanya"  # from +49 when the provider named no country
    assert by_id[mixed_calls[11].pk][11] == "Atlantis"  # a text nothing places, shown as written, not shouted
    assert by_id[mixed_calls[6].pk][11] == ""  # a non-geographic callee (+800) names no country, as the pages
    # A text nothing places, a callee only phonenumbers places: the row written again in Python.
    assert [by_id[mixed_calls[n].pk][11] for n in (15, 16, 17, 18, 19)] == [
        "Amerika Birleşik Devletleri",
        "Birleşik Krallık",
        "Almanya",
        "Almanya",
        "Virgin Adaları, A.B.D.",
    ]
    assert {r[15] for r in rows[1:]} == {"'=cmd()", "Santral, İstanbul"}


# Which calls a team holds, and whether its country texts' table then has rows (a table without rows is not
# joined); a filtered export of those calls (every other one) reads the whole team's texts.
SUBSETS = {
    "texts, no odd callee": (lambda c: c.callee in ("+905321234567", "101"), True),
    "odd callees, no text": (lambda c: not c.country and c.callee.startswith("+"), False),
    "neither": (lambda c: not c.country and c.callee in ("+4930123456", "101"), False),
}


@pytest.mark.parametrize("subset", SUBSETS)
@pytest.mark.parametrize("filtered", [False, True])
def test_copy_without_a_small_table_to_join_writes_the_same_bytes(team_a, mixed_calls, subset, filtered,
                                                                  monkeypatch) -> None:  # fmt: skip
    wanted, texts = SUBSETS[subset]
    CallRecord.objects.filter(pk__in=[c.pk for c in mixed_calls if not wanted(c)]).delete()
    queryset = CallRecord.objects.filter(team=team_a)
    if filtered:
        queryset = queryset.filter(pk__in=list(queryset.values_list("pk", flat=True))[::2])
    joined: list[bool] = []
    select = export_copy._select

    def recorded(inner: str, *, texts: bool, prefixes: bool) -> str:
        joined.append(texts)
        return select(inner, texts=texts, prefixes=prefixes)

    monkeypatch.setattr(export_copy, "_select", recorded)
    with translation.override("tr"), timezone.override(team_a.tzinfo):
        expected = _python_path(queryset, team_a.tzinfo)
        written, count, _marks = _copy_path(queryset, team_a.time_zone, team_a)
    assert joined == [texts] and count == queryset.count() > 0
    assert written.decode().splitlines() == expected.decode().splitlines()
    assert written == expected


def test_the_team_s_country_texts_are_read_from_an_index_not_its_rows(team_a, team_b) -> None:
    """The texts' table is filled by probing call_team_country once per distinct text: no scan of the rows."""
    account = ProviderAccountFactory(team=team_a)
    CallRecordFactory.create_batch(3, account=account, country="TURKEY")
    CallRecordFactory.create_batch(2, account=account, country="ALMANYA")
    CallRecordFactory.create_batch(2, account=account, country="")
    CallRecordFactory(account=ProviderAccountFactory(team=team_b), country="NARNIA")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: a plan that can use the index, uses it
        cursor.execute("EXPLAIN " + export_copy._TEAM_TEXTS, {"team": team_a.pk})
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(export_copy._TEAM_TEXTS, {"team": team_a.pk})
        texts = [row[0] for row in cursor.fetchall()]
    assert texts == ["ALMANYA", "TURKEY"]
    assert "call_team_country" in plan and "Seq Scan on telephony_callrecord" not in plan


def _sample_callees() -> list[str]:
    """+1, +7 and +44 callees of every kind: phonenumbers' examples, the same ending otherwise, odd lengths, a
    prefix phonenumbers could strip ("+44 0…", "+7 8…", "+1 1…")."""
    numbers = ["+12125551234", "+14165551234", "+18765551234", "+13407731234", "+12121234567", "+1212555123",
               "+74951234567", "+77271234567", "+75123456789", "+78001234567", "+442071234567", "+447781123456",
               "+447624123456", "+441534123456", "+4401234567890", "+441481123456", "+44800123456",
               "+11234567890"]  # fmt: skip
    for code in region_prefixes.CODES:
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]:
            for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE):
                example = phonenumbers.example_number_for_type(region, kind)
                if example is not None:
                    numbers.append(phonenumbers.format_number(example, PhoneNumberFormat.E164))
    return numbers


@pytest.mark.parametrize("language", ["en", "tr"])
def test_plus_one_seven_and_forty_four_are_named_in_sql_as_phonenumbers_names_them(team_a, language,
                                                                                    monkeypatch) -> None:  # fmt: skip
    """Only a callee the prefix table has no answer for is read back and named in Python."""
    account = ProviderAccountFactory(team=team_a)
    callees = _sample_callees()
    for n, callee in enumerate(callees):
        CallRecordFactory(account=account, callee=callee, country=("", "ALMANYA", "Atlantis")[n % 3],
                          start=STARTS[n % len(STARTS)])  # fmt: skip
    again: list[str] = []
    named_again = export_copy._named_again

    def recorded(row: str, names: dict[str, str | None], language: str) -> bytes:
        again.append(next(csv.reader(io.StringIO(row)))[0])
        return named_again(row, names, language)

    monkeypatch.setattr(export_copy, "_named_again", recorded)
    queryset = CallRecord.objects.filter(team=team_a)
    with translation.override(language), timezone.override(team_a.tzinfo):
        expected = _python_path(queryset, team_a.tzinfo)
        written, count, _marks = _copy_path(queryset, team_a.time_zone, team_a)
    assert count == len(callees)
    assert written.decode().splitlines() == expected.decode().splitlines()
    assert written == expected
    unanswered = {c for c in callees if region_prefixes.region_of(c) is None}
    assert set(again) == unanswered and len(unanswered) < len(callees) / 4
    assert {"+4401234567890", "+78001234567", "+1212555123", "+11234567890"} <= unanswered


def test_prefixes_of_another_phonenumbers_version_leave_every_such_callee_to_python(team_a, mixed_calls,
                                                                                   monkeypatch) -> None:  # fmt: skip
    monkeypatch.setattr(region_prefixes, "_stored", lambda: {})
    export_copy._number_prefixes.cache_clear()
    queryset = CallRecord.objects.filter(team=team_a)
    try:
        with translation.override("tr"), timezone.override(team_a.tzinfo):
            expected = _python_path(queryset, team_a.tzinfo)
            written, _count, _marks = _copy_path(queryset, team_a.time_zone, team_a)
    finally:
        export_copy._number_prefixes.cache_clear()
    assert written == expected


def test_each_callee_reads_the_prefix_tables_through_their_index(team_a, mixed_calls) -> None:
    """The prefixes share the callee's collation: under another one the comparisons cannot use the tables' keys
    and every distinct callee reads both tables whole (36,000 rows for the prefixes)."""
    queryset = CallRecord.objects.filter(team=team_a)
    with transaction.atomic(), connection.cursor() as django_cursor, translation.override("en"):
        cursor = django_cursor.cursor
        inner, params = export_copy._inner(queryset)
        texts, prefixes = export_copy._tables(cursor, team_a.pk, "en")
        cursor.execute("EXPLAIN " + export_copy._select(inner, texts=texts, prefixes=prefixes), params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    assert prefixes and "export_calling_codes_pkey" in plan and "export_number_prefixes_pkey" in plan, plan
    assert "Seq Scan on export_calling_codes" not in plan and "Seq Scan on export_number_prefixes" not in plan


def test_the_numbers_statistics_are_gathered_again_after_their_collation_changed(team_a, mixed_calls) -> None:
    """Migration 0019 (the rows here were never analyzed, as after 0018's rewrite): without statistics on the
    callee the planner does not memoize the callee's lateral subquery."""
    analyzed = importlib.import_module("telephony.migrations.0019_call_numbers_analyzed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'telephony_callrecord' AND attname = 'callee'")
        assert cursor.fetchone()[0] == 0
        with connection.schema_editor(atomic=False) as editor:
            analyzed.analyze(None, editor)
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'telephony_callrecord' AND attname = 'callee'")
        assert cursor.fetchone()[0] == 1
