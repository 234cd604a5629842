"""CDR browser at a million rows: our keyset page vs Django's Paginator (OFFSET + COUNT) vs the raw SQL.

    .venv/bin/python bench/cdr_page.py                  # SQLite file in var/bench/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telcoportal_bench .venv/bin/python bench/cdr_page.py

Point DATABASE_URL at a scratch database: the script migrates it and fills a
"CDR benchmark" team with --rows call records (kept between runs). It prints
medians and ratios measured in the same run; nothing is asserted.
Also measured: import throughput from the in-process sandbox, in rows/s, and
each filter shape of tests/telephony/test_filter_index_plans.py on two teams
filled by that test's generator (--shape-rows): the page's SQL against the
same page unfiltered, the whole page (test client) with the filter against the whole page without it, and
whether its plan scans the table. SUMMARY lines
(whole page vs raw keyset SQL, worst filter shape) are for bench/all.py.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _prepare_environment() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{ROOT / 'var' / 'bench' / 'cdr_bench.sqlite3'}"
        os.environ["DATABASE_URL"] = url
    elif url.startswith(("postgres://", "postgresql://")):
        _create_postgres_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    return url


def _create_postgres_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def median_ms(function: Callable[[], Any], repeat: int) -> float:
    function()  # warm caches and the plan
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def fill(team: Any, account: Any, rows: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from telephony.models import CallRecord

    have = CallRecord.objects.filter(team=team).count()
    if have >= rows:
        return
    CallRecord.objects.filter(team=team).delete()
    now = timezone.now().replace(microsecond=0)
    columns = (
        'team_id, account_id, source, provider_id, start, answer, "end", duration, billed_seconds, caller, callee, '
        "direction, disposition, result, cost, country, description, recording_name, has_recording, recording, "
        "recording_missing, raw, imported_at, legal_hold, legal_hold_reason, legal_hold_by"
    )
    print(f"generating {rows:,} call records …", flush=True)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""INSERT INTO telephony_callrecord ({columns})
                SELECT %s, %s, 'pbx', 'b' || n, %s - n * interval '2 seconds', NULL, NULL, (n * 31) %% 600, 0,
                       '+90532' || lpad(((n * 7919) %% 10000000)::text, 7, '0'), lpad((100 + n %% 8)::text, 3, '0'),
                       'in', (ARRAY['answered','answered','answered','answered','answered','answered',
                                    'no_answer','no_answer','busy','failed'])[n %% 10 + 1],
                       '', NULL, '', '', '', n %% 3 = 0, '', false, '{{}}', %s, false, '', ''
                FROM generate_series(1::bigint, %s::bigint) AS n""",
                [team.pk, account.pk, now, now, rows],
            )
        else:
            stamp = now.strftime("%Y-%m-%d %H:%M:%S")
            cursor.execute(
                f"""INSERT INTO telephony_callrecord ({columns})
                WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)
                SELECT %s, %s, 'pbx', 'b' || n, datetime(%s, '-' || (n * 2) || ' seconds'), NULL, NULL,
                       (n * 31) %% 600, 0, '+90532' || printf('%%07d', (n * 7919) %% 10000000), 100 + n %% 8, 'in',
                       CASE n %% 10 WHEN 6 THEN 'no_answer' WHEN 7 THEN 'no_answer' WHEN 8 THEN 'busy'
                                    WHEN 9 THEN 'failed' ELSE 'answered' END,
                       '', NULL, '', '', '', n %% 3 = 0, '', 0, '{{}}', %s, 0, '', ''
                FROM seq""",
                [rows, team.pk, account.pk, stamp, stamp],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE telephony_callrecord")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  done in {time.perf_counter() - began:.1f} s", flush=True)


def raw_sql(query: Any) -> Callable[[], Any]:
    from django.db import connection

    sql, params = query.sql_with_params()

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def keyset_sql_query(queryset: Any, cursor: str | None) -> Any:
    """The exact query keyset_page runs (filters, columns, order, LIMIT), for the raw-SQL baseline."""
    from telephony.selectors import DEFAULT_SORT, PAGE_SIZE, decode_cursor, keyset_rows

    decoded = decode_cursor(cursor, DEFAULT_SORT)
    return keyset_rows(queryset, sort=DEFAULT_SORT, cursor=decoded, walk_descending=True, size=PAGE_SIZE).query


def bench_pages(team: Any, rows: int, repeat: int) -> None:
    from django.conf import settings
    from django.core.paginator import Paginator
    from django.db.models import F
    from django.test import Client

    from accounts.models import Membership
    from telephony.filters import CallFilter
    from telephony.models import CallRecord
    from telephony.selectors import PAGE_SIZE, CallRow, encode_cursor, keyset_page

    base = CallRecord.objects.filter(team=team)
    deep_offset = int(rows * 0.9)
    deep_row = base.order_by("-start", "-id").values_list("start", "id")[deep_offset - 1]
    deep_cursor = encode_cursor(deep_row[0], deep_row[1])
    filtered = CallFilter(
        {"preset": "all", "disposition": "no_answer", "number": "0532 1", "match": "prefix"},
        queryset=base,
        team=team,
    )
    assert filtered.is_valid(), filtered.errors
    filtered_qs = filtered.qs

    owner = Membership.objects.filter(team=team).select_related("user").first()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(owner.user)

    cases = [
        ("first page", base, None, 1, {"preset": "all"}),
        ("filtered page", filtered_qs, None, 1, {"preset": "all", "disposition": "no_answer", "number": "0532 1"}),
        ("deep page (90%)", base, deep_cursor, deep_offset // PAGE_SIZE + 1, {"preset": "all", "after": deep_cursor}),
    ]
    print(f"\n{'case':<18}{'keyset':>10}{'raw SQL':>10}{'Paginator':>12}{'view':>10}"
          f"{'keyset/raw':>12}{'Paginator/keyset':>18}{'view/raw':>10}")  # fmt: skip
    figures: dict[str, tuple[float, float]] = {}
    for name, queryset, cursor, page_number, params in cases:
        # Sub-millisecond timings: many more runs, so the medians hold still on a busy machine.
        fast_repeat = repeat * 20
        ours = median_ms(lambda q=queryset, c=cursor: keyset_page(q, after=c), fast_repeat)
        raw = median_ms(raw_sql(keyset_sql_query(queryset, cursor)), fast_repeat)
        paginator_repeat = max(1, repeat // 5) if page_number > 1 else repeat

        def default_paginator(q: Any = queryset, n: int = page_number) -> Any:
            ordered = q.annotate(account_label=F("account__label")).order_by("-start", "-id")
            ordered = ordered.values_list(*CallRow._fields)
            page = Paginator(ordered, PAGE_SIZE).page(n)
            return list(page.object_list)

        django_default = median_ms(default_paginator, paginator_repeat)
        view = median_ms(lambda p=params: client.get("/calls/", p), max(3, repeat // 2))
        print(
            f"{name:<18}{ours:>8.3f}ms{raw:>8.3f}ms{django_default:>10.2f}ms{view:>8.2f}ms"
            f"{ours / raw:>11.1f}×{django_default / ours:>17.1f}×{view / raw:>9.0f}×"
        )
        figures[name] = (view, raw)
    # The floor: the same page when no row matches (middleware, session, filter form, base template, no rows).
    empty = median_ms(lambda: client.get("/calls/", {"preset": "all", "number": "0000 000", "match": "prefix"}),
                      max(3, repeat // 2))  # fmt: skip
    view, raw = figures["first page"]
    print(f"the same page with no row (what every page costs before its rows): {empty:.2f} ms = {empty / raw:.0f}× raw")
    summary("whole /calls/ page, 50 rows (test client)", f"{view:.1f} ms", f"raw keyset SQL {raw:.2f} ms",
            f"{view / raw:.0f}×", "≤ 10×", view / raw <= 10)  # fmt: skip
    summary("  the same page with no row (the floor)", f"{empty:.1f} ms", f"raw keyset SQL {raw:.2f} ms",
            f"{empty / raw:.0f}×", "", None)  # fmt: skip


def summary(figure: str, ours: str, baseline: str, ratio: str, target: str, met: bool | None) -> None:
    """One row of the issue's benchmark table, collected by bench/all.py."""
    verdict = "n/a" if met is None else ("yes" if met else "no")
    print("\t".join(["SUMMARY", figure, ours, baseline, ratio, target, verdict]), flush=True)


SHAPES_TEAM = "Filter shapes"


def shapes_team(rows: int) -> tuple[Any, Any]:
    """Two teams filled by the index-plan test's generator (nine tenths of ``rows`` for the searched one)."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import ProviderAccount, Team
    from telephony.models import CallRecord
    from tests.telephony.test_filter_index_plans import FILL

    team, _ = Team.objects.get_or_create(name=SHAPES_TEAM)
    other, _ = Team.objects.get_or_create(name=f"{SHAPES_TEAM} (other team)")
    accounts = [
        ProviderAccount.objects.get_or_create(team=owner, kind="pasifik", label=label,
                                              defaults={"credentials": {"username": "x", "password": "y"}})[0]
        for owner, label in ((team, "first"), (team, "second"), (other, "other"))
    ]  # fmt: skip
    if CallRecord.objects.filter(team__in=[team, other]).count() != rows:
        CallRecord.objects.filter(team__in=[team, other]).delete()
        print(f"generating {rows:,} call records of two teams (the index-plan test's generator) …", flush=True)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FILL, {"team": team.pk, "other_team": other.pk, "account": accounts[0].pk,
                                  "second_account": accounts[1].pk, "other_account": accounts[2].pk,
                                  "now": timezone.now(), "rows": rows})  # fmt: skip
            cursor.execute("ANALYZE telephony_callrecord")
        print(f"  done in {time.perf_counter() - began:.1f} s", flush=True)
    return team, accounts[1]


def bench_shapes(rows: int, repeat: int) -> None:
    """Each filter shape of tests/telephony/test_filter_index_plans.py: the page's SQL against the same page's
    SQL unfiltered (same period), and whether its plan scans the table."""
    from django.db import connection

    from telephony.filters import CallFilter
    from telephony.models import CallRecord
    from telephony.selectors import DEFAULT_SORT, PAGE_SIZE, keyset_rows
    from tests.telephony.test_filter_index_plans import SEQ_SCAN, _shapes

    team, account = shapes_team(rows)
    client = member_client(team)

    def page_query(data: dict[str, Any]) -> Any:
        call_filter = CallFilter({"preset": "30d", **data}, queryset=CallRecord.objects.filter(team=team), team=team)
        assert call_filter.is_valid(), call_filter.errors
        return keyset_rows(call_filter.qs, sort=DEFAULT_SORT, cursor=None, walk_descending=True, size=PAGE_SIZE).query

    def plan(query: Any) -> str:
        sql, params = query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(line for (line,) in cursor.fetchall())

    def whole_page(data: dict[str, Any]) -> float:
        return median_ms(lambda: client.get("/calls/", {"preset": "30d", **data}), max(3, repeat // 2))

    presets = ("30d", "all")
    unfiltered = {preset: median_ms(raw_sql(page_query({"preset": preset})), repeat * 5) for preset in presets}
    unfiltered_page = {preset: whole_page({"preset": preset}) for preset in presets}
    print(f"\n{'filter shape':<32}{'page SQL':>10}{'unfiltered':>12}{'ratio':>8}"
          f"{'whole page':>12}{'unfiltered':>12}{'ratio':>8}  plan")  # fmt: skip
    worst_sql: tuple[float, str, float, float] | None = None
    worst_page: tuple[float, str, float, float] | None = None
    scans = []
    for name, data in _shapes(account).items():
        query = page_query(data)
        preset = "all" if data.get("preset") == "all" else "30d"
        took, base = median_ms(raw_sql(query), repeat * 5), unfiltered[preset]
        page, page_base = whole_page(data), unfiltered_page[preset]
        scanned = connection.vendor == "postgresql" and SEQ_SCAN in plan(query)
        if scanned:
            scans.append(name)
        print(f"{name:<32}{took:>8.2f}ms{base:>10.2f}ms{took / base:>7.1f}×{page:>10.2f}ms{page_base:>10.2f}ms"
              f"{page / page_base:>7.1f}×  {'SEQ SCAN' if scanned else 'index'}")  # fmt: skip
        if worst_sql is None or took / base > worst_sql[0]:
            worst_sql = (took / base, name, took, base)
        if worst_page is None or page / page_base > worst_page[0]:
            worst_page = (page / page_base, name, page, page_base)
    assert worst_sql is not None and worst_page is not None
    ratio, name, took, base = worst_page
    summary(f"each filter shape vs the unfiltered page, whole page (worst: {name})", f"{took:.1f} ms",
            f"{base:.1f} ms", f"{ratio:.1f}×", "≤ 3×, index scans only", ratio <= 3 and not scans)  # fmt: skip
    ratio, name, took, base = worst_sql
    summary(f"  the same, the page's SQL alone (worst: {name})", f"{took:.2f} ms", f"{base:.2f} ms",
            f"{ratio:.1f}×", "", None)  # fmt: skip


def member_client(team: Any) -> Any:
    """A test client logged in as an owner of ``team`` (made once), for the whole page."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import Membership, User
    from accounts.roles import Role

    email = f"shapes-{team.pk}@example.com"
    user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password=None)
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    return client


def bench_sorts(team: Any, rows: int, repeat: int) -> None:
    """Every sort order the list offers, first page and a page 90% of the way down (walked to by its cursor)."""
    from telephony.models import CallRecord
    from telephony.selectors import SORTS, encode_cursor, keyset_page

    base = CallRecord.objects.filter(team=team)
    deep_offset = int(rows * 0.9)
    print(f"\n{'sort':<12}{'first page':>12}{'deep page':>12}")
    for sort in [prefix + name for name in SORTS for prefix in ("-", "")]:
        field = SORTS[sort.lstrip("-")]
        ordering = [f"-{field}", "-id"] if sort.startswith("-") else [field, "id"]
        value, pk = base.order_by(*ordering).values_list(field, "id")[deep_offset - 1]
        cursor = encode_cursor(value, pk, sort)
        first = median_ms(lambda s=sort: keyset_page(base, sort=s), repeat * 5)
        deep = median_ms(lambda s=sort, c=cursor: keyset_page(base, sort=s, after=c), repeat * 5)
        print(f"{sort:<12}{first:>10.3f}ms{deep:>10.3f}ms")


def bench_import(repeat: int) -> None:
    from django.db import transaction

    from accounts.models import ProviderAccount, Team
    from sandbox.core import Clock, RunningSandbox, Sandbox
    from sandbox.management.commands.demo_setup import sandbox_credentials, sandbox_options
    from sandbox.management.commands.rundemo import DEMO_SCALE
    from sandbox.pasifik import PasifikSandbox
    from telephony import services
    from telephony.models import CallRecord

    rates, counts, seconds = [], [], []
    clock = Clock()  # the volume `make demo` serves
    with RunningSandbox(Sandbox(providers=[PasifikSandbox(clock, demo_scale=DEMO_SCALE)], clock=clock)) as running:
        from django.conf import settings

        settings.PROVIDER_URL_ALLOWLIST = [running.url]  # provider requests reach only allowed origins
        for _ in range(repeat):
            with transaction.atomic():
                team = Team.objects.create(name="CDR import benchmark")
                account = ProviderAccount.objects.create(
                    team=team, kind="pasifik", label="bench", credentials=sandbox_credentials("pasifik"),
                    options=sandbox_options("pasifik"), base_url=f"{running.url}/pasifik",
                )  # fmt: skip
                began = time.perf_counter()
                summary = services.calls_import(account=account, now=running.sandbox.clock.now())
                elapsed = time.perf_counter() - began
                assert not summary.errors, summary.errors
                counts.append(CallRecord.objects.filter(account=account).count())
                seconds.append(elapsed)
                rates.append(counts[-1] / elapsed)
                transaction.set_rollback(True)
    print(
        f"\nimport from the sandbox at demo scale {DEMO_SCALE} ({statistics.median(counts):,.0f} records in "
        f"{statistics.median(seconds):.1f} s): {statistics.median(rates):,.0f} rows/s (median of {repeat} full imports)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--shape-rows", type=int, help="rows of the filter-shape teams (default: --rows)")
    parser.add_argument("--only", choices=("page", "shapes"), help="just the whole page, or just the filter shapes")
    parser.add_argument("--skip-extras", action="store_true", help="no sort orders, no sandbox import (bench/all.py)")
    args = parser.parse_args()
    url = _prepare_environment()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Membership, ProviderAccount, Team, User
    from accounts.roles import Role

    call_command("migrate", verbosity=0)
    logging.getLogger("providers").setLevel(logging.WARNING)  # one line per request in the import
    team, _ = Team.objects.get_or_create(name="CDR benchmark")
    user, _ = User.objects.get_or_create(email="cdr-bench@example.com")
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})
    account, _ = ProviderAccount.objects.get_or_create(
        team=team, kind="pasifik", label="CDR benchmark", defaults={"credentials": {"username": "x", "password": "y"}}
    )
    print(f"database: {connection.vendor} ({url.split('@')[-1]}), {args.rows:,} rows, median of {args.repeat}")
    if args.only != "shapes":
        fill(team, account, args.rows)
        bench_pages(team, args.rows, args.repeat)
    if args.only is None and not args.skip_extras:
        bench_sorts(team, args.rows, args.repeat)
        bench_import(max(1, args.repeat // 5))
    if args.only != "page":
        bench_shapes(args.shape_rows or args.rows, args.repeat)


if __name__ == "__main__":
    main()
