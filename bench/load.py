"""Load: what the server does under a mix of real pages, driven by ``wrk`` (C, far cheaper than the server).

    .venv/bin/python bench/load.py                        # seed (once), serve, saturate, then 50 sessions for 60 s
    .venv/bin/python bench/load.py --baseline-root /work/wt/pagespeed-base \\
        --baseline-database postgres://postgres@127.0.0.1:5432/tp_pagespeed_base   # the same, back to back
    .venv/bin/python bench/load.py --seed-only            # fill the database and stop
    .venv/bin/python bench/load.py --profile              # each page once at a time, in-process, with its queries

Seeds a dedicated PostgreSQL database (``--database``, default ``telcoportal_load``; kept between runs) with
one team holding 1,000,000 call records, 100,000 SMS recipients (100 batches) and 10,000 faxes, in bulk
inserts. Serves it as production does: Debian's nginx in front (as ``deploy/nginx.conf.example``, plain HTTP;
``--direct`` leaves it out) of gunicorn (``-c deploy/gunicorn.conf.py``: the checkout's own worker class and
timeouts, ``WEB_CONCURRENCY`` workers, ``GUNICORN_THREADS`` threads, DEBUG off, a Redis cache),
logs ``--sessions`` users in through the login form in Python, writes their session cookies and the page mix
into a Lua script, and lets ``wrk`` request the mix (the dashboard and the panels it loads by htmx, the calls
list with filters, a call's page, the SMS list, the fax list, both compose forms), each request carrying
one of the sessions' cookies:

1. **saturation**: ``--sessions`` connections, no pause, ``--seconds``: the most the server serves;
2. **sessions**: ``--sessions`` connections, each pausing 0.5–1.5 × ``--think`` s between clicks as a person
   reading the page would, ``--seconds``.

Prints requests/s, p50/p95/p99 (wrk's own latency histogram), errors (socket errors and any answer other
than 200), the server's CPU per request (gunicorn's processes in /proc, before and after) and wrk's own CPU
per request. With ``--baseline-root`` the same runs against another checkout (its own venv, database and
seed, e.g. the commit before the speed issue), one after the other, and ``SUMMARY`` lines give the ratios
(``bench/all.py`` collects them). Nothing is asserted. Not run by CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
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
# The mix: each page as often as the others; the dashboard's panels follow it (found on the page, below).
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
    "SMS compose": ["/sms/new/"],
    "fax compose": ["/fax/new/"],
}
PANEL = re.compile(r"""hx-get=["']([^"'{]+)["'][^>]*hx-trigger=["'][^"']*load""")
CALL_LINK = re.compile(r'<a href="(/calls/\d+/)">')


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


def profile(email: str, repeat: int = 15) -> None:
    """Each page of the mix in this process (test client): median wall and CPU time (this process: Python,
    templates, the driver; the database server's own time is not in it), queries and time in SQL, the slowest
    query; then the mix's mean per request, each page weighted as wrk picks it (uniformly)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    print(f"\n{'path':48} {'median':>8} {'CPU':>7} {'queries':>7} {'in SQL':>8}  slowest query")
    panels = [p.replace("&amp;", "&") for p in dict.fromkeys(PANEL.findall(client.get("/").content.decode()))]
    calls = list(dict.fromkeys(CALL_LINK.findall(client.get("/calls/?preset=all").content.decode())))[:3]
    mix: list[tuple[float, float, int]] = []
    for paths, htmx in [*((paths, False) for paths in PAGES.values()), (panels, True), (calls, False)]:
        headers = {"HX-Request": "true"} if htmx else {}
        for path in paths:
            client.get(path, headers=headers)
            times: list[float] = []
            cpu: list[float] = []
            queries: list[dict[str, str]] = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    began, began_cpu = time.perf_counter(), time.process_time()
                    client.get(path, headers=headers)
                    times.append(time.perf_counter() - began)
                    cpu.append(time.process_time() - began_cpu)
                queries = captured.captured_queries
            sql = sum(float(q["time"]) for q in queries)
            slowest = max(queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
            mix.append((statistics.median(times) * 1000, statistics.median(cpu) * 1000, len(queries)))
            print(
                f"{path:48} {mix[-1][0]:6.1f}ms {mix[-1][1]:5.1f}ms {len(queries):7d} {sql * 1000:6.0f}ms  "
                f"{float(slowest['time']) * 1000:.0f}ms {slowest['sql'][:150]}"
            )
    print(
        f"{'the mix, per request':48} {statistics.mean(m[0] for m in mix):6.1f}ms "
        f"{statistics.mean(m[1] for m in mix):5.1f}ms {statistics.mean(m[2] for m in mix):7.1f}"
        f"   load average (1 min) {os.getloadavg()[0]:.1f}"
    )


# --- gunicorn ------------------------------------------------------------------------


def free_port(low: int = 8500, high: int = 8599) -> int:
    """A free port of this bench's range (the machine is shared: other benches keep to theirs)."""
    for port in range(low, high + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {low}-{high}")


def start_gunicorn(root: Path, url: str, port: int, workers: int, threads: int, cache: str) -> subprocess.Popen[bytes]:
    """The checkout's production gunicorn (its deploy/gunicorn.conf.py), as the Procfile starts it."""
    env = {
        **os.environ, **BENCH_ENV, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "telcoportal.settings",
        "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads), "CACHE_URL": cache,
    }  # fmt: skip
    command = [
        str(root / ".venv" / "bin" / "gunicorn"), "telcoportal.wsgi", "-c", "deploy/gunicorn.conf.py",
        f"--bind=127.0.0.1:{port}", "--log-level=warning",
    ]  # fmt: skip
    # The access log (production config) goes to stdout: kept, as in production, but not on this terminal.
    server = subprocess.Popen(command, cwd=root, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    # Four workers importing Django on a busy 2-core machine take a while.
    return answering(server, port, seconds=240, exited=lambda: "gunicorn exited: see its log above")


def answering(
    process: subprocess.Popen[bytes], port: int, *, seconds: float, exited: Callable[[], str]
) -> subprocess.Popen[bytes]:
    """``process`` once ``/healthz`` answers 200 on ``port``; stopped, and the bench ended, if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(exited())
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop(process)
    raise SystemExit(f"nothing answered /healthz on port {port} within {seconds:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def group_cpu_seconds(group: int) -> float:
    """CPU time of a process group (the gunicorn master and workers), with the workers it already reaped
    (``max_requests`` restarts them; their time is in the master's cutime/cstime)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # fields after the name: state, ppid, pgrp, …, utime (11) … cstime (14)
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- the reverse proxy -------------------------------------------------------------------

NGINX_CONFIG = """{user}worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    access_log off;
    keepalive_timeout 75s;
    upstream telcoportal_web {{
        server 127.0.0.1:{upstream};
        keepalive 32;
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://telcoportal_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def nginx_path() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def start_nginx(folder: Path, listen: int, upstream: int) -> subprocess.Popen[bytes]:
    """Debian's nginx in front of gunicorn, as ``deploy/nginx.conf.example`` puts it (plain HTTP here).

    Why: production serves gunicorn behind this proxy, which reads each request whole before handing it on and
    keeps the browsers' idle connections itself. Straight to gunicorn, wrk's sessions (which reconnect as
    soon as an answer ends, then pause) each held a gthread worker's thread for their whole pause, waiting for
    the request: 3 s of p95 on an idle server, from the bench, not from the portal.
    """
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers would become "nobody"
    config = folder / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(user=user, folder=folder, listen=listen, upstream=upstream))
    nginx = subprocess.Popen([nginx_path() or "nginx", "-c", str(config), "-p", str(folder)], start_new_session=True)
    return answering(
        nginx, listen, seconds=30, exited=lambda: f"nginx exited: {(folder / 'nginx-error.log').read_text()}"
    )


# --- the sessions and the mix --------------------------------------------------------------


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


@dataclass(frozen=True)
class Request:
    path: str
    htmx: bool = False


def page_mix(session: requests.Session, base: str) -> list[Request]:
    """Every page of PAGES, the dashboard's htmx panels and a few calls' pages, each checked to answer 200."""
    mix = [Request(path) for paths in PAGES.values() for path in paths]
    dashboard = session.get(f"{base}/", timeout=60).text
    mix += [Request(p.replace("&amp;", "&"), htmx=True) for p in dict.fromkeys(PANEL.findall(dashboard))]
    calls = session.get(f"{base}/calls/?preset=all", timeout=60).text
    mix += [Request(path) for path in list(dict.fromkeys(CALL_LINK.findall(calls)))[:3]]
    for request in mix:  # a warm-up, and a mix that errs would measure nothing
        answer = session.get(base + request.path, timeout=60, allow_redirects=False,
                             headers={"HX-Request": "true"} if request.htmx else {})  # fmt: skip
        if answer.status_code != 200:
            raise SystemExit(f"{request.path} answers HTTP {answer.status_code} before the load")
    return mix


def lua_script(cookies: list[str], mix: list[Request], think: float, *, reconnect: bool = True) -> str:
    """wrk's script: each request a random page of the mix with one session's cookie (in turn); answers other
    than 200 counted; with ``think``, a pause of 0.5–1.5 × think before each request (``reconnect``: on a new
    connection, for a server whose keep-alive is shorter than the pause; behind nginx the connection stays, as a
    browser's does); a JSON line at the end."""
    low, high = int(think * 500), int(think * 1500)
    return (
        "local cookies = " + _lua_list(cookies) + "\n"
        "local paths = " + _lua_list([r.path for r in mix]) + "\n"
        "local htmx = {"
        + ", ".join("true" if r.htmx else "false" for r in mix)
        + "}\n"
        + f"local low, high = {low}, {high}\n"
        + f"local reconnect = {'true' if reconnect else 'false'}\n"
        + """
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(id * 7919)
  turn = id
  failed = 0
  statuses = {}
end
function delay()
  if high == 0 then return 0 end
  return math.random(low, high)
end
function request()
  turn = turn + 1
  local n = math.random(#paths)
  local headers = {Cookie = cookies[turn % #cookies + 1]}
  if htmx[n] then headers["HX-Request"] = "true" end
  -- After a pause longer than the server's keep-alive (5 s) a browser opens a new connection; wrk would
  -- send on the closed one and count a read error, so a session with pauses closes after each answer.
  if high > 0 and reconnect then headers["Connection"] = "close" end
  return wrk.format("GET", paths[n], headers)
end
function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end
function done(summary, latency, requests)
  local not_200 = 0
  local codes = {}
  for _, thread in ipairs(threads) do
    not_200 = not_200 + thread:get("failed")
    for code, count in pairs(thread:get("statuses")) do codes[#codes + 1] = code .. ":" .. count end
  end
  local e = summary.errors
  for _, kind in ipairs({"connect", "read", "write", "timeout"}) do
    if e[kind] > 0 then codes[#codes + 1] = kind .. ":" .. e[kind] end
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"socket_errors": %d, "not_200": %d, "codes": "%s"}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout, not_200, table.concat(codes, " ")))
end
"""
    )


def _lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"  # JSON strings read as Lua strings


@dataclass
class Run:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    codes: str
    server_cpu_ms: float  # per request
    wrk_cpu_ms: float  # per request

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def run_wrk(label: str, base: str, script: Path, connections: int, seconds: float, server: int) -> Run:
    cpu_before = group_cpu_seconds(server)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = ["wrk", f"--threads={min(2, connections)}", f"--connections={connections}",
               f"--duration={int(seconds)}s", "--timeout=30s", f"--script={script}", base]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = group_cpu_seconds(server) - cpu_before
    found = re.search(r"^WRKJSON (.*)$", output, re.MULTILINE)
    if found is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    figures = json.loads(found.group(1))
    served = max(figures["requests"], 1)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return Run(
        label=label, requests=figures["requests"], seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000, p95_ms=figures["p95_us"] / 1000, p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000, errors=figures["socket_errors"] + figures["not_200"],
        codes=figures["codes"], server_cpu_ms=server_cpu / served * 1000, wrk_cpu_ms=wrk_cpu / served * 1000,
    )  # fmt: skip


def measure(root: Path, database: str, args: argparse.Namespace) -> tuple[Run, Run]:
    """Seed (with the checkout's own code), serve, log in, saturate, then the sessions with their pauses."""
    seed_command = [str(root / ".venv" / "bin" / "python"), "bench/load.py", "--seed-only",
                    f"--database={database}", f"--sessions={args.sessions}"]  # fmt: skip
    subprocess.run(seed_command, cwd=root, check=True)
    low, high = (int(part) for part in args.ports.split("-"))
    port = free_port(low, high)
    proxied = not args.direct and nginx_path() is not None
    server = start_gunicorn(root, database, port, args.workers, args.threads, args.cache)
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as running:
        running.callback(stop, server)
        base = f"http://127.0.0.1:{port}"
        if proxied:
            listen = free_port(port + 1, high)
            running.callback(stop, start_nginx(Path(folder), listen, port))
            base = f"http://127.0.0.1:{listen}"
        sessions = [log_in(base, f"load{n:02d}@example.com") for n in range(1, args.sessions + 1)]
        mix = page_mix(sessions[0], base)
        cookies = ["; ".join(f"{k}={v}" for k, v in s.cookies.get_dict().items()) for s in sessions]
        front = f"nginx on {base} in front of gunicorn on :{port}" if proxied else f"gunicorn on {base} (no proxy)"
        print(f"{root} at {_commit(root)}: {front}, {len(sessions)} sessions, {len(mix)} pages in the mix", flush=True)
        runs = []
        for label, think in (("saturation", 0.0), (f"{args.sessions} sessions", args.think)):
            script = Path(folder) / f"{label.replace(' ', '_')}.lua"
            script.write_text(lua_script(cookies, mix, think, reconnect=not proxied))
            runs.append(run_wrk(label, base, script, args.sessions, args.seconds, server.pid))
            print_runs([runs[-1]])
        return runs[0], runs[1]


def _commit(root: Path) -> str:
    answer = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return answer.stdout.strip() or "?"


def print_runs(runs: list[Run]) -> None:
    for run in runs:
        print(
            f"  {run.label:<12} {run.requests:7d} requests in {run.seconds:4.0f} s = {run.rate:6.1f}/s  "
            f"p50 {run.p50_ms:6.0f} ms  p95 {run.p95_ms:6.0f} ms  p99 {run.p99_ms:6.0f} ms  max {run.max_ms:6.0f} ms  "
            f"errors {run.errors}{' (' + run.codes + ')' if run.codes else ''}  "
            f"server CPU {run.server_cpu_ms:5.1f} ms/request  wrk CPU {run.wrk_cpu_ms:5.2f} ms/request",
            flush=True,
        )


def summary(figure: str, ours: str, baseline: str, ratio: str, target: str, met: bool | None) -> None:
    """One row of the issue's table, for bench/all.py."""
    verdict = "n/a" if met is None else ("yes" if met else "no")
    print("\t".join(["SUMMARY", figure, ours, baseline, ratio, target, verdict]), flush=True)


def report(ours: tuple[Run, Run], baseline: tuple[Run, Run] | None, sessions: int) -> None:
    saturated, calm = ours
    if baseline is None:
        summary("mixed pages at saturation (requests/s)", f"{saturated.rate:.1f}", "not measured", "", "≥ 4×", None)
    else:
        ratio = saturated.rate / max(baseline[0].rate, 1e-9)
        summary("mixed pages at saturation (requests/s)", f"{saturated.rate:.1f}", f"{baseline[0].rate:.1f}",
                f"{ratio:.1f}×", "≥ 4×", ratio >= 4)  # fmt: skip
    summary(f"{sessions} sessions: errors", str(calm.errors), str(baseline[1].errors) if baseline else "", "", "0",
            calm.errors == 0)  # fmt: skip
    summary(f"{sessions} sessions: p95", f"{calm.p95_ms:.0f} ms", f"{baseline[1].p95_ms:.0f} ms" if baseline else "",
            "", "< 150 ms", calm.p95_ms < 150)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/telcoportal_load")
    parser.add_argument("--baseline-root", type=Path, help="another checkout with its own .venv, run the same")
    parser.add_argument("--baseline-database", help="that checkout's own database (it is seeded with its code)")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=5.0, help="mean pause between clicks in the sessions run, s")
    parser.add_argument("--workers", type=int, default=4, help="WEB_CONCURRENCY: gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="GUNICORN_THREADS (a sync worker ignores it)")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/9", help="CACHE_URL of the server")
    parser.add_argument("--ports", default="8500-8599", help="the range gunicorn's port is taken from (LOW-HIGH)")
    parser.add_argument("--direct", action="store_true", help="wrk straight to gunicorn, without nginx in front")
    parser.add_argument("--reseed", action="store_true", help="drop and regenerate the load team's data")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--profile", action="store_true", help="time each page in-process with its queries, no load")
    args = parser.parse_args()

    if args.seed_only or args.profile:
        prepare_database(args.database)
        emails = seed(args.sessions, args.reseed)
        if args.profile:
            profile(emails[0])
        return
    if args.baseline_root and not args.baseline_database:
        raise SystemExit("--baseline-root needs --baseline-database (its migrations differ from ours)")
    ours = measure(ROOT, args.database, args)
    baseline = measure(args.baseline_root, args.baseline_database, args) if args.baseline_root else None
    print(f"\nload average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work competes)")
    print("ours:")
    print_runs(list(ours))
    if baseline:
        print("baseline:")
        print_runs(list(baseline))
    report(ours, baseline, args.sessions)


if __name__ == "__main__":
    main()
