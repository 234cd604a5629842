"""Every figure of the speed issue's benchmark table in one run, side by side (``make bench``).

    .venv/bin/python bench/all.py                              # the issue's sizes (1M rows; takes a while)
    .venv/bin/python bench/all.py --rows 200000 --import-rows 50000 --recipients 20000 --load-seconds 20
    .venv/bin/python bench/all.py --only cdr_page --only load   # some of the benches
    .venv/bin/python bench/all.py --baseline-root /work/wt/base --baseline-database postgres://…/tp_base

The load bench compares with the commit before the issue's first change: without ``--baseline-root``,
``bench/baseline.py`` checks it out once under ``var/bench/`` with its own venv (``--no-baseline`` skips it).

Runs each bench in its own process, on PostgreSQL (``--database``, a scratch database the benches fill and
keep; the load bench uses its own, ``--load-database``), prints what each bench prints, then the table of
the lines each bench gives as ``SUMMARY<TAB>figure<TAB>ours<TAB>baseline<TAB>ratio<TAB>target<TAB>met``.
A figure whose bench printed no such line (or failed) is still a row, "not measured". Nothing is asserted:
the figures are ratios against baselines measured in the same run, on a machine others may share.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import baseline  # bench/baseline.py (the script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Bench:
    name: str
    figures: tuple[str, ...]  # the rows of the table this bench answers, shown when it printed none
    target: str


BENCHES = (
    Bench("cdr_page", ("whole /calls/ page, 50 rows", "each filter shape vs the unfiltered page"),
          "≤ 10×; each shape ≤ 3×, index scans only"),
    Bench("export_import", ("1M-row export end to end vs COPY TO STDOUT",
                            "CDR import vs COPY of the same rows into the call records table (its indexes)",
                            "— the same import vs COPY into an unindexed staging table (reference)",
                            "unchanged re-import vs the first"),
          "≤ 3× and 100 % of rows; ≥ 0.3× (reference: —); ≤ 0.2×"),
    Bench("sms_csv", ("100k-recipient CSV to a batch ready to send vs a bare loop",), "≤ 1.5× and under 10 s"),
    Bench("fax_render", ("fax rendering per page vs Ghostscript tiffg4",), "≤ 1.5×"),
    Bench("load", ("mixed pages at saturation (requests/s) vs the commit before the issue",
                   "50 sessions: errors and p95"), "≥ 4×; 0 errors, p95 < 150 ms"),
)  # fmt: skip


def command(bench: str, args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    python = str(ROOT / ".venv" / "bin" / "python")
    env = {**os.environ, "DATABASE_URL": args.database}
    script = str(ROOT / "bench" / f"{bench}.py")
    if bench == "cdr_page":
        return [python, script, f"--rows={args.rows}", f"--repeat={args.repeat}", "--skip-extras"], env
    if bench == "export_import":
        return [python, script, f"--rows={args.rows}", f"--import-rows={args.import_rows}"], env
    if bench == "sms_csv":
        return [python, script, f"--rows={args.recipients}"], env
    if bench == "fax_render":
        return [python, script, f"--pages={args.pages}"], env
    load = [python, script, f"--database={args.load_database}", f"--seconds={args.load_seconds}",
            f"--sessions={args.sessions}"]  # fmt: skip
    if args.baseline_root:
        load += [f"--baseline-root={args.baseline_root}", f"--baseline-database={args.baseline_database}"]
    return load, env


def run(bench: str, args: argparse.Namespace) -> list[list[str]]:
    """Runs one bench, passing its output through, and returns its SUMMARY rows."""
    argv, env = command(bench, args)
    print(f"\n### {bench}: {' '.join(argv[1:])}", flush=True)
    began = time.monotonic()
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    rows = []
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.startswith("SUMMARY\t"):
            rows.append((line.rstrip("\n").split("\t")[1:] + [""] * 6)[:6])
    status = process.wait()
    print(f"### {bench}: {'done' if status == 0 else f'FAILED (exit {status})'} in {time.monotonic() - began:.0f} s")
    return rows


def table(results: dict[str, list[list[str]]]) -> str:
    header = ["bench", "figure", "ours", "baseline in the same run", "ratio", "target", "met"]
    lines = []
    for bench in BENCHES:
        rows = results.get(bench.name)
        if not rows:
            why = "not measured" if bench.name in results else "not run"
            rows = [[figure, why, "", "", bench.target, ""] for figure in bench.figures]
        lines += [[bench.name, *row] for row in rows]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, ["-" * w for w in widths], *lines]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/telcoportal_bench"),
    )
    parser.add_argument("--load-database", default="postgres://postgres@127.0.0.1:5432/telcoportal_load")
    parser.add_argument("--rows", type=int, default=1_000_000, help="call records (pages, filter shapes, export)")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=20, help="fax pages rendered")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument(
        "--baseline-root", help="the load bench's baseline checkout (default: made by bench/baseline.py)"
    )
    parser.add_argument(
        "--baseline-database",
        default="postgres://postgres@127.0.0.1:5432/telcoportal_load_base",
        help="that checkout's own database",
    )
    parser.add_argument("--no-baseline", action="store_true", help="the load bench without its baseline")
    parser.add_argument("--only", action="append", choices=[b.name for b in BENCHES], help="run just these")
    args = parser.parse_args()  # fmt: skip
    if not args.database.startswith(("postgres://", "postgresql://")):
        raise SystemExit("the table is PostgreSQL's (COPY, index plans): --database postgres://…")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if not args.baseline_root and not args.no_baseline and (not args.only or "load" in args.only):
        args.baseline_root = baseline.prepare()
    results = {bench.name: run(bench.name, args) for bench in BENCHES if not args.only or bench.name in args.only}
    print(f"\nThe benchmark table at {commit.stdout.strip()} ({args.rows:,} call records; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):\n")  # fmt: skip
    print(table(results))
    sys.exit(0)


if __name__ == "__main__":
    main()
