"""Exports and CDR import side by side with COPY, in one run (ratios; nothing is asserted).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telcoportal_bench .venv/bin/python bench/export_import.py
    … --rows 200000 --import-rows 50000      # a smaller run

Point DATABASE_URL at a scratch PostgreSQL database (COPY is PostgreSQL's): the script migrates it and
fills an "Export benchmark" team with --rows call records (kept between runs): bench/cdr_page.py's rows, then
given a telephone account's mix of countries (``international``): 30 % carry a provider country text (TURKEY,
Germany, ALMANYA — Turkish, which nothing places —, UNITED STATES, RUSSIA, UK), 60 % an international callee
(+90, +49 settled by their calling code; +1, +44, +7, which only phonenumbers places), the rest an
extension. Deterministic (a multiplicative hash of the row's number); each international family draws from
5,000 numbers, as an office calls the same destinations again. cdr_page's own team keeps its rows.

1. The calls export end to end, as the worker writes it (``exportjobs.services``, kind "calls": on PostgreSQL
   ``COPY (SELECT …) TO STDOUT`` with the labels, the team's zone and formula escaping in SQL, CSV to
   a file in storage) vs ``COPY (SELECT the same columns in
   the same order) TO STDOUT`` read whole through psycopg's copy API; the rows in the file are counted
   against the team's rows (100 % expected).
2. CDR import of --import-rows provider records (``services.call_records_upsert``: digest, fit, hash, COPY
   into a staging table, one upsert from it) vs ``COPY … FROM STDIN`` of the same rows into the call records
   table itself, with its indexes and its foreign keys checked as a commit checks them, rolled back: the
   issue's "COPY of the same rows" (its ~1,050 rows/s at 1/17 of COPY puts that COPY near 18,000 rows/s,
   what the indexed table takes, not the 300,000+ of an unindexed one). Beside it, for reference, the same
   COPY into an unindexed staging table; then the same records imported again unchanged vs the first import.
   The table is vacuumed before each timed step, so none pays for the dead rows of the one before.

``--only export`` or ``--only import`` runs one part (the rows are filled either way).

Each figure also ends as one tab-separated line, ``SUMMARY  figure  ours  baseline  ratio  target  met``
(yes/no; "—" for a reference without a target), which ``bench/all.py`` collects.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cdr_page import _prepare_environment, fill  # noqa: E402

# (share of the rows out of 100, the callee as SQL of the row's hash h): the international mix ``international``
# gives the export team. +1: New York, Toronto (Canada), Jamaica; +44: London, a Guernsey mobile; +7: Moscow,
# Almaty (Kazakhstan).
NUMBER = "(h / 100 %% 5000)::text"  # one of 5,000 numbers a family: an office calls the same places again
CALLEES = (
    (20, "'+90' || (ARRAY['212', '532', '216'])[h %% 3 + 1] || lpad({NUMBER}, 7, '0')"),
    (5, "'+4930' || lpad({NUMBER}, 7, '0')"),
    (15, "'+1' || (ARRAY['212', '416', '876'])[h %% 3 + 1] || '55' || lpad({NUMBER}, 5, '0')"),
    (10, "'+44' || (ARRAY['20' || lpad({NUMBER}, 8, '0'), '7781' || lpad({NUMBER}, 6, '0')])[h %% 2 + 1]"),
    (10, "'+7' || (ARRAY['495', '727'])[h %% 2 + 1] || lpad({NUMBER}, 7, '0')"),
)
TEXTS = ("TURKEY", "Germany", "ALMANYA", "UNITED STATES", "RUSSIA", "UK")
TEXT_SHARE = 30


def international(team: Any) -> None:
    """Gives the team's generated rows (cdr_page.fill: provider id "b" and the row's number) their countries
    and international callees, once."""
    from django.db import connection

    from telephony.models import CallRecord

    if CallRecord.objects.filter(team=team).exclude(country="").exists():
        return
    whens, low = [], 0
    for share, callee in CALLEES:
        whens.append(f"WHEN h %% 100 BETWEEN {low} AND {low + share - 1} THEN {callee.replace('{NUMBER}', NUMBER)}")
        low += share
    texts = ", ".join(f"'{text}'" for text in TEXTS)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE telephony_callrecord SET
                callee = CASE {" ".join(whens)} ELSE callee END,
                country = CASE WHEN h / 500000 %% 100 < {TEXT_SHARE}
                               THEN (ARRAY[{texts}])[h / 7 %% {len(TEXTS)} + 1] ELSE '' END
            FROM (SELECT id AS row_id, (substr(provider_id, 2)::bigint * 2654435761) %% 4294967296 AS h
                  FROM telephony_callrecord WHERE team_id = %s) AS hashed
            WHERE id = hashed.row_id""",
            [team.pk],
        )
        cursor.execute("VACUUM ANALYZE telephony_callrecord")  # the update left a dead version of every row
    print(f"  international mix in {time.perf_counter() - began:.1f} s", flush=True)


def summary(figure: str, ours: str, baseline: str, ratio: float, target: str, met: bool | None) -> None:
    """One machine-readable line per figure, collected by bench/all.py (``met`` None: a reference, no target)."""
    answer = "—" if met is None else "yes" if met else "no"
    print("\t".join(("SUMMARY", figure, ours, baseline, f"{ratio:.2f}", target, answer)), flush=True)


def _seconds(function: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = function()
    return time.perf_counter() - began, result


def bench_export(team: Any, user: Any) -> None:
    from django.core.files.storage import default_storage
    from django.db import connection

    from exportjobs.models import ExportJob
    from exportjobs.services import export_job_write
    from telephony.models import CallRecord
    from telephony.selectors import EXPORT_FIELDS

    total = CallRecord.objects.filter(team=team).count()
    job = ExportJob.objects.create(team=team, requested_by=user, kind="calls", file_format="csv", language="tr",
                                   filters={"preset": ["all"]}, filename="bench")  # fmt: skip
    export_job_write(job_id=job.pk)  # warm
    job = ExportJob.objects.create(team=team, requested_by=user, kind="calls", file_format="csv", language="tr",
                                   filters={"preset": ["all"]}, filename="bench")  # fmt: skip
    ours, _ = _seconds(lambda: export_job_write(job_id=job.pk))
    job.refresh_from_db()
    with default_storage.open(job.file, "rb") as stored:
        rows = sum(1 for _ in csv.reader(io.TextIOWrapper(stored, encoding="utf-8-sig"))) - 1

    columns = ", ".join(
        "a.label" if f == "account__label" else f'c."{f}"' for f in EXPORT_FIELDS
    )  # the same columns, in the same order
    sql = (f"COPY (SELECT {columns} FROM telephony_callrecord c JOIN accounts_provideraccount a "
           f"ON a.id = c.account_id WHERE c.team_id = {int(team.pk)} ORDER BY c.start DESC, c.id DESC) "
           "TO STDOUT WITH (FORMAT csv, HEADER)")  # fmt: skip

    def copy_out() -> int:
        size = 0
        with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
            for block in copy:
                size += len(block)
        return size

    copy_out()  # warm
    baseline, _ = _seconds(copy_out)
    print(f"export of {total:,} rows, end to end (worker, CSV to storage): {ours:.2f} s")
    print(f"  COPY … TO STDOUT of the same columns:                       {baseline:.2f} s")
    print(f"  ratio {ours / baseline:.1f}x; rows in the file {rows:,} of {total:,} ({rows * 100 / total:.1f} %)")
    summary(f"{total:,}-row calls export, end to end", f"{ours:.2f} s", f"COPY TO STDOUT {baseline:.2f} s",
            ours / baseline, "<= 3x", ours / baseline <= 3)  # fmt: skip
    summary("rows in the exported file", f"{rows:,}", f"{total:,}", rows / total, "100 %", rows == total)
    for done in ExportJob.objects.filter(team=team):
        if done.file:
            default_storage.delete(done.file)
        done.delete()


def _provider_rows(count: int) -> list[dict[str, Any]]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        {"source": "tel", "provider_id": f"imp-{n}", "start": start + timedelta(seconds=7 * n), "duration": n % 600,
         "billed_seconds": n % 600, "caller": f"+90532{n % 10_000_000:07d}", "callee": "+902121234567",
         "direction": "out", "disposition": "answered", "result": "200", "country": "TR",
         "raw": {"i_cdr": n, "connect_time": "2025-01-01T00:00:00Z"}}
        for n in range(count)
    ]  # fmt: skip


def bench_import(team: Any, count: int) -> None:
    from django.db import connection, transaction

    from accounts.models import ProviderAccount
    from telephony import services
    from telephony.models import CallRecord

    account, _ = ProviderAccount.objects.get_or_create(
        team=team,
        kind="pasifik",
        label="Import benchmark",
        defaults={"credentials": {"username": "x", "password": "y"}},
    )
    CallRecord.objects.filter(account=account).delete()
    rows = _provider_rows(count)

    fields = ("team_id", "account_id", "source", "provider_id", "start", "duration", "billed_seconds", "caller",
              "callee", "direction", "disposition", "result", "country", "raw", "description", "recording_name",
              "has_recording", "recording", "recording_missing", "imported_at")  # fmt: skip
    names = ", ".join(f'"{f}"' for f in fields)

    def copy_in(table: str) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if table == "bench_staging":
                # The same columns and types, without the table's constraints or indexes: COPY at its fastest.
                cursor.execute(f"CREATE TEMP TABLE bench_staging ON COMMIT DROP AS SELECT {names} "
                               "FROM telephony_callrecord WITH NO DATA")  # fmt: skip
            else:
                # The foreign keys are checked at commit, which a rolled-back copy never reaches: checked per row
                # now, as the import's commit checks them.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with cursor.connection.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row((team.pk, account.pk, r["source"], r["provider_id"], r["start"], r["duration"],
                                    r["billed_seconds"], r["caller"], r["callee"], r["direction"], r["disposition"],
                                    r["result"], r["country"], '{"i_cdr": 0}', "", "", False, "", False,
                                    r["start"]))  # fmt: skip
            transaction.set_rollback(True)  # the real table's copy is measured, not kept

    def vacuumed() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {CallRecord._meta.db_table}")  # the rows deleted or rolled back before

    vacuumed()
    staging, _ = _seconds(lambda: copy_in("bench_staging"))
    vacuumed()
    indexed, _ = _seconds(lambda: copy_in("telephony_callrecord"))
    vacuumed()
    first, _ = _seconds(lambda: services.call_records_upsert(account=account, rows=rows))
    again, _ = _seconds(lambda: services.call_records_upsert(account=account, rows=rows))
    table = CallRecord._meta.db_table
    print(f"CDR import of {count:,} records (digest, fit, hash, staged upsert): {first:.2f} s "
          f"({count / first:,.0f} rows/s)")  # fmt: skip
    print(f"  COPY … FROM STDIN of the same rows into {table} (its indexes and foreign keys, rolled back): "
          f"{indexed:.2f} s ({count / indexed:,.0f} rows/s)")  # fmt: skip
    print(f"    the import {indexed / first:.2f}x of its throughput")
    print(f"  for reference, the same COPY into an unindexed staging table: {staging:.2f} s "
          f"({count / staging:,.0f} rows/s): the import {staging / first:.2f}x, the table's COPY "
          f"{staging / indexed:.2f}x of it")  # fmt: skip
    print(f"  unchanged re-import: {again:.2f} s, {again / first:.2f}x of the first import")
    summary(f"CDR import, {count:,} records, vs COPY of the same rows into the call records table (its indexes)",
            f"{count / first:,.0f} rows/s", f"COPY into {table} {count / indexed:,.0f} rows/s", indexed / first,
            ">= 0.3x", indexed / first >= 0.3)  # fmt: skip
    summary("— the same import vs COPY into an unindexed staging table (reference)", f"{count / first:,.0f} rows/s",
            f"COPY into a staging table {count / staging:,.0f} rows/s", staging / first, "—", None)  # fmt: skip
    summary("unchanged CDR re-import", f"{again:.2f} s", f"first import {first:.2f} s", again / first, "<= 0.2x",
            again / first <= 0.2)  # fmt: skip
    CallRecord.objects.filter(account=account).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--only", choices=("export", "import"), help="run one part (the rows are filled either way)")
    args = parser.parse_args()
    url = _prepare_environment()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import Membership, ProviderAccount, Team, User
    from accounts.roles import Role

    if connection.vendor != "postgresql":
        raise SystemExit("COPY is PostgreSQL's: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    team, _ = Team.objects.get_or_create(name="Export benchmark")
    user, _ = User.objects.get_or_create(email="export-bench@example.com")
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})
    account, _ = ProviderAccount.objects.get_or_create(
        team=team,
        kind="pasifik",
        label="Export benchmark",
        defaults={"credentials": {"username": "x", "password": "y"}},
    )
    print(f"database: {connection.vendor} ({url.split('@')[-1]}), {args.rows:,} call records")
    fill(team, account, args.rows)
    international(team)
    if args.only != "import":
        bench_export(team, user)
    if args.only != "export":
        bench_import(team, args.import_rows)


if __name__ == "__main__":
    main()
