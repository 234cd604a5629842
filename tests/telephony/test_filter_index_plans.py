"""Every filter shape of the CDR browser is served by an index on PostgreSQL, never a scan of the team's rows.

The plans are read with EXPLAIN from the exact SQL the page runs (``keyset_rows`` of the filtered queryset),
over a few hundred thousand rows of two teams made in the database with generate_series and then ANALYZEd,
so the planner chooses as it would at scale.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import ProviderAccount, Team
from core.phones import digits_only
from telephony.filters import CallFilter
from telephony.models import CallRecord
from telephony.numbers import normalize_prefix
from telephony.selectors import DEFAULT_SORT, PAGE_SIZE, keyset_rows
from tests.factories import ProviderAccountFactory, TeamFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

ROWS = 300_000  # nine tenths for the team that is searched, the rest for another team
SEQ_SCAN = "Seq Scan on telephony_callrecord"

FILL = """
INSERT INTO telephony_callrecord (team_id, account_id, source, provider_id, start, duration, billed_seconds,
    caller, callee, direction, disposition, result, country, description, recording_name, has_recording,
    recording, recording_missing, raw, imported_at)
SELECT CASE WHEN mod(i, 10) = 0 THEN %(other_team)s ELSE %(team)s END,
       CASE WHEN mod(i, 10) = 0 THEN %(other_account)s WHEN mod(i, 7) = 0 THEN %(second_account)s ELSE %(account)s END,
       'pbx', 'bulk-' || i, %(now)s - (i * interval '105 seconds'), mod(i, 600), mod(i, 600),
       '+90' || (530 + mod(i, 30))::text || lpad((mod(i * 7919, 10000000))::text, 7, '0'),
       CASE WHEN mod(i, 3) = 0 THEN (100 + mod(i, 50))::text
            ELSE '+90212' || lpad((mod(i * 104729, 10000000))::text, 7, '0') END,
       (ARRAY['in', 'out', 'internal', 'unknown'])[1 + mod(i, 4)],
       (ARRAY['answered', 'answered', 'answered', 'no_answer', 'busy', 'failed'])[1 + mod(i, 6)],
       '', '', '', '', mod(i, 10) = 5, '', false, '{}', %(now)s
FROM generate_series(1::bigint, %(rows)s) AS i
"""


def _teams_with_calls() -> tuple[Team, ProviderAccount]:
    team, other_team = TeamFactory(), TeamFactory()
    account, second_account = ProviderAccountFactory(team=team), ProviderAccountFactory(team=team)
    other_account = ProviderAccountFactory(team=other_team)
    with connection.cursor() as cursor:
        cursor.execute(
            FILL,
            {
                "team": team.pk,
                "other_team": other_team.pk,
                "account": account.pk,
                "second_account": second_account.pk,
                "other_account": other_account.pk,
                "now": timezone.now(),
                "rows": ROWS,
            },
        )
        cursor.execute("ANALYZE telephony_callrecord")
    return team, second_account


def _page_plan(team: Team, data: dict[str, Any]) -> str:
    call_filter = CallFilter({"preset": "30d", **data}, queryset=CallRecord.objects.filter(team=team), team=team)
    assert call_filter.is_valid(), call_filter.errors
    rows = keyset_rows(call_filter.qs, sort=DEFAULT_SORT, cursor=None, walk_descending=True, size=PAGE_SIZE)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


def _shapes(account: ProviderAccount) -> dict[str, dict[str, Any]]:
    today = timezone.localdate()
    week = {"preset": "custom", "date_from": today - timedelta(days=6), "date_to": today}
    return {
        "default period": {},
        "prefix": {"number": "0532 791", "match": "prefix"},
        "prefix, any time": {"number": "0532 791", "match": "prefix", "preset": "all"},
        "prefix of a callee": {"number": "0212 4", "match": "prefix", "preset": "all"},
        "contains": {"number": "79190", "match": "contains"},
        "contains, any time": {"number": "79190", "match": "contains", "preset": "all"},
        "date range": week,
        "disposition": {"disposition": "failed"},
        "disposition, any time": {"disposition": "failed", "preset": "all"},
        "direction": {"direction": "out"},
        "direction, any time": {"direction": "out", "preset": "all"},
        "with recording": {"has_recording": "true"},
        "without recording": {"has_recording": "false"},
        "min duration": {"min_duration": "590"},
        "account": {"account": account.pk},
        "account and date range": {"account": account.pk, **week},
        "result, direction and number": {"disposition": "busy", "direction": "in", "number": "0532"},
        "every filter": {
            "number": "791",
            "match": "contains",
            "disposition": "answered",
            "direction": "out",
            "has_recording": "false",
            "min_duration": "30",
            "account": account.pk,
        },
    }


def test_every_filter_shape_of_the_call_list_uses_an_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "reads PostgreSQL query plans (EXPLAIN): run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>"
        )
    team, account = _teams_with_calls()
    plans = {name: _page_plan(team, data) for name, data in _shapes(account).items()}
    scans = {name: plan for name, plan in plans.items() if SEQ_SCAN in plan}
    assert not scans, "\n\n".join(f"{name}:\n{plan}" for name, plan in scans.items())
    # "contains" searches the team's own trigrams (btree_gin: team_id inside the GIN index, migration 0013) ...
    for name in ("contains", "contains, any time"):
        assert "call_team_caller_trgm" in plans[name] and "call_team_callee_trgm" in plans[name], plans[name]
    # ... and a rare prefix reads the numbers' (team, number, id) indexes, which serve LIKE 'prefix%' in byte order
    # (migration 0018): with default statistics the planner took it for 1 % of the rows and walked every row of the
    # team in date order (2.7 s at 1M rows).
    assert "call_team_caller_id" in plans["prefix, any time"], plans["prefix, any time"]


NUMBERS = ["+905321234567", "+905329876543", "+902125550000", "101", "1015", "+4930123456", "", "50%_off", "5321"]
SEARCHES = [
    ("0532", "prefix"),
    ("+90 532 123", "prefix"),
    ("101", "prefix"),
    ("0212", "prefix"),
    ("4567", "contains"),
    ("532", "contains"),
    ("01", "contains"),
    ("%", "contains"),
    ("_", "contains"),
    ("50%", "prefix"),
]


def _expected(calls: list[CallRecord], number: str, match: str) -> set[int]:
    """What the number filter has always meant: the caller or the callee starts with (contains) the typed number."""
    if match == "contains":
        needle = digits_only(number) or number
        return {c.pk for c in calls if needle in c.caller or needle in c.callee}
    prefix = normalize_prefix(number) or number
    return {c.pk for c in calls if c.caller.startswith(prefix) or c.callee.startswith(prefix)}


@pytest.mark.parametrize(("number", "match"), SEARCHES)
def test_the_number_filter_finds_what_it_always_found(team_a: Team, number: str, match: str) -> None:
    account = ProviderAccountFactory(team=team_a)
    calls = [
        CallRecordFactory(account=account, caller=caller, callee=callee)
        for caller in NUMBERS
        for callee in ("101", "+905551112233", caller[::-1])
    ]
    CallRecordFactory(caller="+905321234567", callee="101")  # another team's call is never found
    call_filter = CallFilter(
        {"preset": "all", "number": number, "match": match},
        queryset=CallRecord.objects.filter(team=team_a),
        team=team_a,
    )
    assert call_filter.is_valid(), call_filter.errors
    assert set(call_filter.qs.values_list("pk", flat=True)) == _expected(calls, number, match)


# Each index of the call records: (name, its access method, its columns with their operator classes and collations,
# unique, partial).
INDEXES = """
SELECT c.relname, am.amname,
       array(SELECT a.attname || ' ' || op.opcname || ' ' || coalesce(coll.collname, '')
             FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[]) WITH ORDINALITY
                  AS k(attnum, opclass, coll_oid, position)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             JOIN pg_opclass op ON op.oid = k.opclass
             LEFT JOIN pg_collation coll ON coll.oid = k.coll_oid
             ORDER BY k.position),
       i.indisunique, i.indpred IS NOT NULL
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = 'telephony_callrecord'::regclass
"""


def test_no_index_of_the_call_records_is_the_start_of_another() -> None:
    """An import writes every index for every record: a btree whose keys (columns, operator classes, collations)
    begin another btree's serves nothing that one does not. The team's own index was (migration 0017)."""
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's catalogue")
    with connection.cursor() as cursor:
        cursor.execute(INDEXES)
        indexes = cursor.fetchall()
    unique = {name for name, _method, _keys, is_unique, _partial in indexes if is_unique}
    btrees = [(name, keys) for name, method, keys, _unique, partial in indexes if method == "btree" and not partial]
    redundant = [
        (name, other)
        for name, keys in btrees
        for other, longer in btrees
        if other != name and name not in unique and longer[: len(keys)] == keys
    ]
    assert redundant == [], redundant
