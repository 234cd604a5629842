"""Load: gunicorn on PostgreSQL with demo data at scale, 50 logged-in sessions for 60 s.

    .venv/bin/python bench/load.py                       # seed (once), serve, drive, report
    .venv/bin/python bench/load.py --sessions 50 --seconds 60 --think 5
    .venv/bin/python bench/load.py --think 0             # no pause between clicks: saturation
    .venv/bin/python bench/load.py --no-panels           # the dashboard page without its htmx panels
    .venv/bin/python bench/load.py --skip-panel /dashboard/calls/
    .venv/bin/python bench/load.py --profile             # each page once at a time, with its queries

Seeds a dedicated PostgreSQL database (``--database``, default
``telcoportal_load``; kept between runs) with one team holding 1,000,000 call
records, 100,000 SMS recipients (100 batches) and 10,000 faxes, in bulk
inserts. Starts gunicorn on loopback with production settings (DEBUG off),
logs ``--sessions`` users in through the login form, and lets each one click
through the dashboard (with the panels it loads by htmx), the CDR list with
filters, the SMS list and the fax list for ``--seconds``, pausing a random
0.5–1.5 × ``--think`` seconds between clicks as a person reading the page
would. Prints p50/p95/p99 and errors per page; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "load-test-password-1"
CDRS, SMS_RECIPIENTS, SMS_BATCH_SIZE, FAXES = 1_000_000, 100_000, 1_000, 10_000
# Fixed keys for a throw-away database: the seeding process and gunicorn must agree.
BENCH_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "load-bench-secret-key-not-for-production-0123456789abcdef",
    "CREDENTIAL_KEYS": "hZ5qX2w1e0m9bJ7Pq3Uu0fYk8sVd4nT6cR1aL2gH5jE=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "STATIC_MANIFEST": "0",
    "LOG_LEVEL": "WARNING",
    "CELERY_TASK_ALWAYS_EAGER": "0",
}
PAGES = {
    "dashboard": ["/"],
    "CDR list (filters)": [
        "/calls/",
        "/calls/?preset=7d&disposition=no_answer",
        "/calls/?preset=30d&number=05321&match=prefix",
        "/calls/?preset=all&has_recording=true&direction=in",
    ],
    "SMS list": ["/sms/", "/sms/?state=completed"],
    "fax list": ["/fax/", "/fax/?direction=in", "/fax/?status=failed"],
}
PANEL = re.compile(r"""hx-get=["']([^"'{]+)["'][^>]*hx-trigger=["'][^"']*load""")


# --- the database ------------------------------------------------------------------


def prepare_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(BENCH_ENV, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="telcoportal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(sessions: int, reseed: bool) -> list[str]:
    from accounts.models import Membership, ProviderAccount, Team, User
    from accounts.roles import Role

    team = Team.objects.filter(name="Load team").first()
    if team is not None and reseed:
        print("dropping the previous load team …", flush=True)
        team.delete()
        team = None
    if team is None:
        team = Team.objects.create(name="Load team")
    account, _ = ProviderAccount.objects.get_or_create(
        team=team,
        label="Pasifik (load)",
        defaults={
            "kind": "pasifik",
            "credentials": {"username": "load", "password": "load"},
            # Nothing listens here: a panel that asks the provider gets a quick refusal, not a hang.
            "base_url": "http://127.0.0.1:9/pasifik",
            "options": {"sender_ids": ["LOAD"]},
        },
    )
    emails = [f"load{n:02d}@example.com" for n in range(1, sessions + 1)]
    for n, email in enumerate(emails):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=PASSWORD)
        Membership.objects.get_or_create(
            team=team, user=user, defaults={"role": Role.OWNER if n == 0 else Role.OPERATOR}
        )
    began = time.perf_counter()
    seed_calls(team, account)
    seed_sms(team, account)
    seed_faxes(team, account)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"data ready in {time.perf_counter() - began:.1f} s", flush=True)
    return emails


def seed_calls(team: Any, account: Any) -> None:
    from cdr_page import fill  # the CDR bench's generator: one INSERT … SELECT generate_series

    fill(team, account, CDRS)


def seed_sms(team: Any, account: Any) -> None:
    from django.db import transaction
    from django.utils import timezone

    from messaging.models import SmsBatch, SmsChunk, SmsRecipient

    if SmsRecipient.objects.filter(batch__team=team).count() >= SMS_RECIPIENTS:
        return
    SmsBatch.objects.filter(team=team).delete()
    print(f"generating {SMS_RECIPIENTS:,} SMS recipients …", flush=True)
    began = time.perf_counter()
    now = timezone.now()
    states = ["completed"] * 7 + ["submitted", "sending", "cancelled"]
    with transaction.atomic():
        batches = SmsBatch.objects.bulk_create(
            SmsBatch(
                team=team,
                account=account,
                created_by_email="load01@example.com",
                sender="LOAD",
                text=f"Kampanya {n}: bu hafta tüm paketlerde indirim.",
                alphabet="turkish",
                state=states[n % len(states)],
                recipient_count=SMS_BATCH_SIZE,
            )
            for n in range(SMS_RECIPIENTS // SMS_BATCH_SIZE)
        )
        for n, batch in enumerate(batches):  # spread over the last 100 days
            SmsBatch.objects.filter(pk=batch.pk).update(created_at=now - timezone.timedelta(days=n, minutes=n))
        chunks = SmsChunk.objects.bulk_create(
            SmsChunk(batch=batch, index=i, size=500, state="submitted", sms_id=batch.pk * 10 + i, attempts=1)
            for batch in batches
            for i in range(SMS_BATCH_SIZE // 500)
        )
        rows: list[SmsRecipient] = []
        serial = 0
        for chunk in chunks:
            for _ in range(chunk.size):
                serial += 1
                rows.append(
                    SmsRecipient(
                        batch_id=chunk.batch_id,
                        chunk=chunk,
                        phone=f"+90532{serial:07d}",
                        state="delivered" if serial % 10 else "undelivered",
                    )
                )
                if len(rows) == 5000:
                    SmsRecipient.objects.bulk_create(rows)
                    rows = []
        SmsRecipient.objects.bulk_create(rows)
    print(f"  done in {time.perf_counter() - began:.1f} s", flush=True)


def seed_faxes(team: Any, account: Any) -> None:
    from django.utils import timezone

    from fax.models import Fax

    if Fax.objects.filter(team=team).count() >= FAXES:
        return
    Fax.objects.filter(team=team).delete()
    print(f"generating {FAXES:,} faxes …", flush=True)
    began = time.perf_counter()
    now = timezone.now()
    statuses = ["sent"] * 6 + ["failed", "sending", "queued", "sent"]
    rows = []
    for n in range(FAXES):
        created = now - timezone.timedelta(minutes=13 * n)
        incoming = n % 3 == 0
        rows.append(
            Fax(
                team=team,
                account=account,
                direction="in" if incoming else "out",
                status="received" if incoming else statuses[n % len(statuses)],
                our_number="+902125550100",
                remote_number=f"+90212{(n * 7919) % 10_000_000:07d}",
                pages=1 + n % 9,
                provider_id=f"load-{n}",
                attempts=0 if incoming else 1,
                created_at=created,
                status_changed_at=created,
            )
        )
    Fax.objects.bulk_create(rows, batch_size=2000)
    print(f"  done in {time.perf_counter() - began:.1f} s", flush=True)


# --- gunicorn ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "telcoportal.settings"}
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "telcoportal.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited: see its log above")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) of every live process in a process group: the gunicorn master and workers."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # fields after the name: state, ppid, pgrp, …, utime (11), stime (12)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- the sessions ---------------------------------------------------------------------


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times[page].append(seconds)
            if error:
                self.errors[page].append(error)


def log_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302 or "/accounts/login" in answer.headers.get("Location", ""):
        raise SystemExit(f"{email} could not log in (HTTP {answer.status_code})")
    return session


def fetch(session: requests.Session, base: str, path: str, page: str, results: Results, htmx: bool = False) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    began = time.perf_counter()
    error = None
    text = ""
    try:
        answer = session.get(base + path, timeout=30, allow_redirects=False, headers=headers)
        text = answer.text
        if answer.status_code != 200:
            error = f"HTTP {answer.status_code} {path}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__} {path}"
    results.add(page, time.perf_counter() - began, error)
    return text


def drive(
    session: requests.Session, base: str, until: float, think: float, seed: int, results: Results, skip: set[str]
) -> None:
    chooser = random.Random(seed)
    time.sleep(chooser.uniform(0, max(think, 0.2)))  # people do not all click in the same instant
    while time.monotonic() < until:
        page = chooser.choice(list(PAGES))
        text = fetch(session, base, chooser.choice(PAGES[page]), page, results)
        if page == "dashboard" and "all" not in skip:  # the panels the browser loads right after the page
            for panel in dict.fromkeys(PANEL.findall(text)):
                path = panel.replace("&amp;", "&")
                if path.split("?")[0] in skip:
                    continue
                fetch(session, base, path, f"  panel {path.split('?')[0]}", results, htmx=True)
        if think:
            time.sleep(chooser.uniform(0.5 * think, 1.5 * think))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(results: Results, seconds: float) -> None:
    print(f"\n{'page':30} {'requests':>8} {'req/s':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'errors':>6}")
    everything: list[float] = []
    panels = sorted(p for p in results.times if p not in PAGES)
    for page in [*PAGES, *panels]:
        times = results.times.get(page)
        if not times:
            continue
        everything += times
        print(
            f"{page:30} {len(times):8d} {len(times) / seconds:6.1f} "
            + " ".join(f"{percentile(times, q) * 1000:6.0f}ms" for q in (0.5, 0.95, 0.99))
            + f" {max(times) * 1000:6.0f}ms {len(results.errors.get(page, [])):6d}"
        )
    errors = sum(len(e) for e in results.errors.values())
    print(
        f"{'all':30} {len(everything):8d} {len(everything) / seconds:6.1f} "
        + " ".join(f"{percentile(everything, q) * 1000:6.0f}ms" for q in (0.5, 0.95, 0.99))
        + f" {max(everything) * 1000:6.0f}ms {errors:6d}"
    )
    for page, found in results.errors.items():
        for sample in sorted(set(found))[:5]:
            print(f"  error on {page}: {sample} ({found.count(sample)}×)")
    print(f"median of all: {statistics.median(everything) * 1000:.0f} ms")


def profile(email: str, repeat: int = 5) -> None:
    """Each page in this process (test client): median time, queries and time in SQL, the slowest query."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    print(f"\n{'path':48} {'median':>8} {'queries':>7} {'in SQL':>8}  slowest query")
    panels = [p.replace("&amp;", "&") for p in dict.fromkeys(PANEL.findall(client.get("/").content.decode()))]
    for paths in [*PAGES.values(), panels]:
        for path in paths:
            client.get(path)
            times: list[float] = []
            queries: list[dict[str, str]] = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    client.get(path)
                    times.append(time.perf_counter() - began)
                queries = captured.captured_queries
            sql = sum(float(q["time"]) for q in queries)
            slowest = max(queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
            print(
                f"{path:48} {statistics.median(times) * 1000:6.0f}ms {len(queries):7d} {sql * 1000:6.0f}ms  "
                f"{float(slowest['time']) * 1000:.0f}ms {slowest['sql'][:150]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/telcoportal_load")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=5.0, help="mean pause between clicks, seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--reseed", action="store_true", help="drop and regenerate the load team's data")
    parser.add_argument("--no-panels", action="store_true", help="the dashboard page alone, without its htmx panels")
    parser.add_argument("--skip-panel", action="append", default=[], metavar="PATH", help="e.g. /dashboard/calls/")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--profile", action="store_true", help="time each page in-process with its queries, no load")
    args = parser.parse_args()

    prepare_database(args.database)
    emails = seed(args.sessions, args.reseed)
    if args.seed_only:
        return
    if args.profile:
        profile(emails[0])
        return
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_gunicorn(args.database, port, args.workers, args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"gunicorn: {args.workers} workers × {args.threads} threads on {base}", flush=True)
        sessions = [log_in(base, email) for email in emails]
        print(f"{len(sessions)} sessions logged in; warming up …", flush=True)
        warm = Results()
        for paths in PAGES.values():
            for path in paths:
                fetch(sessions[0], base, path, "warm-up", warm)
        skip = {"all"} if args.no_panels else set(args.skip_panel)
        results = Results()
        load_before = os.getloadavg()[0]
        cpu_before = group_cpu_seconds(server.pid)
        until = time.monotonic() + args.seconds
        began = time.monotonic()
        workers = [
            threading.Thread(target=drive, args=(s, base, until, args.think, n, results, skip), daemon=True)
            for n, s in enumerate(sessions)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - began
        print(
            f"{args.sessions} sessions for {elapsed:.0f} s, think time {args.think:g} s (0.5–1.5×)"
            + (", dashboard without its panels" if args.no_panels else "")
            + (f", without the panels {', '.join(args.skip_panel)}" if args.skip_panel and not args.no_panels else "")
        )
        cpu = group_cpu_seconds(server.pid) - cpu_before
        report(results, elapsed)
        served = sum(len(t) for t in results.times.values())
        print(f"gunicorn CPU: {cpu:.1f} s for {served} requests, {cpu / max(served, 1) * 1000:.0f} ms a request")
        print(
            f"machine load average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores: other work on the machine competes with the server and the clients"
        )
    finally:
        stop(server)


if __name__ == "__main__":
    main()
