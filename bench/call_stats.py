"""The calls analytics page (/calls/stats/) at a million call records, against the plain /calls/ page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tp_analytics .venv/bin/python bench/call_stats.py
    .venv/bin/python bench/call_stats.py                # SQLite file in var/bench/

Point DATABASE_URL at a scratch database: the script migrates it and fills a
"Call stats benchmark" team with --rows call records spread over the last 30 days
(kept between runs). Both pages are asked for their default period (the last 30
days: every row) through the test client, in the same run; it prints the medians,
the ratio (target: at most 3×), the page without its rollup, what the periodic rollup refresh
costs and what each figure of the analytics page costs.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cdr_page import _prepare_environment  # noqa: E402


def median_ms(function: Callable[[], Any], repeat: int) -> float:
    function()  # warm caches and the plan
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def fill(team: Any, pbx: Any, tel: Any, rows: int) -> None:
    """``rows`` calls over the last 30 days: PBX and telephone, in, out and internal, 20 extensions,
    20,000 callers, 60 % answered, talk after a ring of up to 40 s."""
    from django.db import connection
    from django.utils import timezone

    from telephony.models import CallRecord

    if CallRecord.objects.filter(team=team).count() >= rows:
        return
    CallRecord.objects.filter(team=team).delete()
    now = timezone.now().replace(microsecond=0)
    step = 30 * 86400 / rows
    columns = (
        'team_id, account_id, source, provider_id, start, answer, "end", duration, billed_seconds, caller, callee, '
        "direction, disposition, result, cost, country, description, recording_name, has_recording, recording, "
        "recording_missing, raw, imported_at"
    )
    print(f"generating {rows:,} call records …", flush=True)
    began = time.perf_counter()
    # n % 20 < 3: telephone (outgoing); else PBX: n % 10 < 6 incoming, < 9 outgoing, else internal.
    series = """
        SELECT n,
               CASE WHEN n % 20 < 3 THEN 'tel' ELSE 'pbx' END AS source,
               CASE WHEN n % 20 < 3 THEN 'out' WHEN n % 10 < 6 THEN 'in' WHEN n % 10 < 9 THEN 'out'
                    ELSE 'internal' END AS direction,
               CASE n % 10 WHEN 6 THEN 'no_answer' WHEN 7 THEN 'no_answer' WHEN 8 THEN 'busy'
                           WHEN 9 THEN 'failed' ELSE 'answered' END AS disposition,
               (n * 31) % 600 + 41 AS duration
        FROM seq"""
    select = f"""
        SELECT %s, CASE WHEN source = 'tel' THEN %s ELSE %s END, source, 's' || n, {{start}}, NULL, NULL, duration,
               CASE WHEN disposition = 'answered' THEN
                    CASE WHEN source = 'tel' THEN duration ELSE duration - (n * 7) % 41 END ELSE 0 END,
               CASE WHEN direction = 'in' THEN {{caller}} ELSE {{extension}} END,
               CASE WHEN direction = 'in' OR direction = 'internal' THEN {{extension}} ELSE {{callee}} END,
               direction, disposition, '', NULL, '', '', '', false, '', {{false}}, '{{{{}}}}', %s
        FROM ({series}) AS calls"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = select.format(
                start=f"%s - n * interval '{step} seconds'",
                caller="'+90532' || lpad(((n * 7919) % 20000)::text, 7, '0')",
                extension="(100 + n % 20)::text",
                callee="'+90212' || lpad(((n * 104729) % 50000)::text, 7, '0')",
                false="false",
            )
            numbers = "WITH seq AS (SELECT generate_series(1::bigint, %s::bigint) AS n)"
            sql = f"INSERT INTO telephony_callrecord ({columns}) {numbers} {sql}"
            cursor.execute(sql.replace("%", "%%").replace("%%s", "%s"), [rows, team.pk, tel.pk, pbx.pk, now, now])
        else:
            stamp = now.strftime("%Y-%m-%d %H:%M:%S")
            sql = select.format(
                start=f"datetime(%s, '-' || CAST(n * {step} AS INTEGER) || ' seconds')",
                caller="'+90532' || printf('%07d', (n * 7919) % 20000)",
                extension="CAST(100 + n % 20 AS TEXT)",
                callee="'+90212' || printf('%07d', (n * 104729) % 50000)",
                false="0",
            )
            numbers = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)"
            sql = f"INSERT INTO telephony_callrecord ({columns}) {numbers} {sql}"
            cursor.execute(sql.replace("%", "%%").replace("%%s", "%s"), [rows, team.pk, tel.pk, pbx.pk, stamp, stamp])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE telephony_callrecord" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  done in {time.perf_counter() - began:.1f} s", flush=True)


def bench_figures(team: Any, repeat: int) -> None:
    """What each figure of the page costs on its own (rollup for the days before today, records for today)."""
    from django.utils import timezone

    from telephony.analytics import Filters
    from telephony.stats_figures import StatsFigures
    from telephony.stats_forms import default_period

    zone = team.tzinfo
    with timezone.override(zone):
        period = default_period()

    def figure(name: str) -> Callable[[], Any]:
        return lambda: getattr(StatsFigures(team, period, Filters(), zone), name)

    print(f"\n{'figure':<22}{'median':>10}")
    for name in ("summary", "timeline", "lines", "longest", "callers"):
        print(f"{name:<22}{median_ms(figure(name), repeat):>8.1f}ms", flush=True)


def bench_refresh(team: Any) -> None:
    """The periodic task's cost: the first build of 30 days, then a run with nothing new."""
    from telephony.stats_models import CallStatDay, CallStatHour, CallStatTalk
    from telephony.stats_rollup import call_stats_refresh

    for model in (CallStatHour, CallStatTalk, CallStatDay):
        model.objects.filter(team=team).delete()
    began = time.perf_counter()
    days = call_stats_refresh(team=team)
    first = time.perf_counter() - began
    began = time.perf_counter()
    call_stats_refresh(team=team)
    idle = time.perf_counter() - began
    rows = CallStatHour.objects.filter(team=team).count() + CallStatTalk.objects.filter(team=team).count()
    print(f"\nrollup: first build {days} days in {first:.1f} s ({rows:,} rows); a run with nothing new {idle:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = _prepare_environment()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Membership, ProviderAccount, Team, User
    from accounts.roles import Role

    call_command("migrate", verbosity=0)
    team, _ = Team.objects.get_or_create(name="Call stats benchmark")
    user, _ = User.objects.get_or_create(email="call-stats-bench@example.com")
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})
    credentials = {"username": "x", "password": "y"}
    pbx, _ = ProviderAccount.objects.get_or_create(
        team=team, kind="pasifik", label="Stats PBX", defaults={"credentials": credentials}
    )
    tel, _ = ProviderAccount.objects.get_or_create(
        team=team, kind="pasifik", label="Stats telephone", defaults={"credentials": credentials}
    )
    print(f"database: {connection.vendor} ({url.split('@')[-1]}), {args.rows:,} rows, median of {args.repeat}")
    fill(team, pbx, tel, args.rows)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)

    def page(path: str, params: dict[str, str] | None = None) -> Callable[[], Any]:
        def get() -> None:
            response = client.get(path, params or {})
            assert response.status_code == 200, response.status_code

        return get

    from telephony.stats_models import CallStatState

    CallStatState.objects.filter(team=team).delete()  # first without the rollup: every figure from the records
    without = median_ms(page("/calls/stats/"), max(1, args.repeat // 2))
    bench_refresh(team)
    calls_page = median_ms(page("/calls/"), args.repeat)
    stats_page = median_ms(page("/calls/stats/"), args.repeat)
    number = median_ms(page("/calls/stats/", {"direction": "in", "number": "101"}), args.repeat)
    callers = median_ms(page("/calls/stats/callers/"), args.repeat)
    print(f"\n{'page':<48}{'median':>10}{'ratio to /calls/':>18}")
    rows = [
        ("/calls/ (last 30 days)", calls_page),
        ("/calls/stats/ (last 30 days, rollup + today)", stats_page),
        ("/calls/stats/callers/ (loaded after the page)", callers),
        ("/calls/stats/ (incoming, number 101: records)", number),
        ("/calls/stats/ (last 30 days, no rollup)", without),
    ]
    for name, value in rows:
        print(f"{name:<48}{value:>8.1f}ms{value / calls_page:>17.1f}×")
    bench_figures(team, args.repeat)


if __name__ == "__main__":
    main()
