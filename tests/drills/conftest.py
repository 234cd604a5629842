"""What the drills share: real Celery workers (and beat) on a real Redis broker, the
same PostgreSQL database as the test, and a sandbox served over HTTP from the test
process, whose request log (``sandbox.requests``) is the evidence.

Workers and beat run the production commands of the Procfile (prefork pool) with
the production settings (``telcoportal.settings``, ``DEBUG=0``, the 600 s Redis
visibility timeout): only the addresses differ. The test plays the web tier: it
stores work through the services, which queue the tasks on Redis.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection, transaction

from accounts.models import ProviderAccount, Team
from sandbox.app import build_sandbox
from sandbox.core import RunningSandbox, Sandbox

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A Redis database of its own, emptied before and after each drill.
REDIS_DB = int(os.environ.get("DRILL_REDIS_DB", "13"))
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
# The shared cache of a drill with several web processes (the multi-node drill), in a database of its own too.
CACHE_REDIS_DB = int(os.environ.get("DRILL_CACHE_REDIS_DB", "12"))
CACHE_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{CACHE_REDIS_DB}"


NEEDS = (
    "the drills need PostgreSQL and Redis (worker processes share the test's database and broker): "
    "run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/telcoportal and Redis on "
    f"{REDIS_HOST}:{REDIS_PORT}, as CI does"
)


def _redis_down() -> str:
    try:
        import redis

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=1).ping()
    except Exception as exc:  # any failure means the drill cannot run here
        return f"Redis is not answering at {REDIS_HOST}:{REDIS_PORT} ({type(exc).__name__})"
    return ""


@pytest.fixture
def drill_db(transactional_db: None) -> dict[str, Any]:
    """The test database, committed for real so a worker process sees it; PostgreSQL and Redis only."""
    if connection.vendor != "postgresql":
        pytest.skip(f"{NEEDS}; the database here is {connection.vendor}")
    reason = _redis_down()
    if reason:
        pytest.skip(f"{NEEDS}; {reason}")
    return dict(connection.settings_dict)


@pytest.fixture
def broker(drill_db: dict[str, Any]) -> Iterator[Celery]:
    """A producer on the drill's Redis database: what the web tier and beat publish with."""
    import redis

    store = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    store.flushdb()
    producer = Celery("drill-producer", broker=BROKER_URL, set_as_current=False)
    yield producer
    producer.close()
    store.flushdb()


def publish_after_commit(producer: Celery, name: str, *args: Any, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: producer.send_task(name, args=args, countdown=countdown))


@pytest.fixture
def queue_through_broker(broker: Celery, monkeypatch: pytest.MonkeyPatch) -> Celery:
    """The services queue their sends on Redis instead of running them eagerly in the test."""
    from fax.services import sending
    from messaging.services import send_queue

    def sms_queue(batch_id: int, countdown: int | None = None) -> None:
        publish_after_commit(broker, "messaging.send_batch", batch_id, countdown=countdown)

    def fax_queue(fax_ids: list[int]) -> None:
        for pk in fax_ids:
            publish_after_commit(broker, "fax.send_fax", pk)

    monkeypatch.setattr(send_queue, "sms_batch_queue", sms_queue)
    monkeypatch.setattr(sending, "queue_sends", fax_queue)
    return broker


# --- workers -------------------------------------------------------------------------------


def procfile_command(process_type: str, *, port: int | None = None, hostname: str | None = None) -> list[str]:
    """The production command of a Procfile process type, run with this interpreter.

    Only addresses change: ``port`` binds the web command to that loopback port (the Procfile's
    ``0.0.0.0:${PORT:-8000}``); ``hostname`` names a worker (``worker1@%h``), as the systemd template
    unit does, so two workers on one machine are told apart.
    """
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{process_type}:"):
            command = line.split(":", 1)[1]
            if port is not None:
                assert "0.0.0.0:${PORT:-8000}" in command, line
                command = command.replace("0.0.0.0:${PORT:-8000}", f"127.0.0.1:{port}")
            argv = shlex.split(command)
            assert argv[0] in ("celery", "gunicorn"), line
            if hostname is not None:
                argv[argv.index("--hostname") + 1] = f"{hostname}@%h"
            return [sys.executable, "-m", *argv]
    raise AssertionError(f"no {process_type} in the Procfile")


def database_url(database: dict[str, Any]) -> str:
    login = quote(database["USER"] or "") + (f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else "")
    return f"postgres://{login}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


def production_environment(database: dict[str, Any], folder: Path) -> dict[str, str]:
    """What every drill process (web, worker, beat) runs with: the production settings, the drill's addresses."""
    return {
        **os.environ,
        # The production settings, nothing tuned for the drill (visibility timeout, stall, grace…).
        "DJANGO_SETTINGS_MODULE": "telcoportal.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url(database),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_BEAT_SCHEDULE_FILENAME": str(folder / "celerybeat-schedule"),
        "SECRET_KEY": settings.SECRET_KEY,
        "CREDENTIAL_KEYS": ",".join(settings.CREDENTIAL_KEYS),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "0",
        "LOG_LEVEL": "INFO",
    }


@dataclass
class Workers:
    database: dict[str, Any]
    logs: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    beat: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return {**production_environment(self.database, self.logs), **self.extra_env}

    def _spawn(self, process_type: str, log_name: str, hostname: str | None = None) -> subprocess.Popen[bytes]:
        log = (self.logs / log_name).open("wb")
        return subprocess.Popen(
            procfile_command(process_type, hostname=hostname),
            cwd=self.logs,  # beat's pid and schedule files stay in the drill's folder
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the whole worker can be killed at once
        )

    def start(self, *, named: bool = False) -> subprocess.Popen[bytes]:
        """A worker as the Procfile starts it: prefork pool, one child per core. ``named``: called
        ``worker<n>@host`` after its log, as each instance of the systemd template unit is."""
        number = len(self.running) + 1
        process = self._spawn("worker", f"worker{number}.log", hostname=f"worker{number}" if named else None)
        self.running.append(process)
        return process

    def start_beat(self) -> subprocess.Popen[bytes]:
        """Beat with the production schedule: report polls, the send watchdogs…"""
        self.beat = self._spawn("beat", "beat.log")
        return self.beat

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """kill -9 of the whole worker (main process and children): no warm shutdown, no ack, no cleanup."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in [*self.running, *([self.beat] if self.beat else [])]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(process)

    def tail(self, lines: int = 40) -> str:
        out = []
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)


@pytest.fixture
def workers(drill_db: dict[str, Any], broker: Celery, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(database=drill_db, logs=tmp_path)
    yield pool
    pool.stop_all()  # before the database is flushed: a worker must not hold a lock on it


def child_running(producer: Celery, task_name: str, *, timeout: float = 30) -> int:
    """The pid of the prefork child running ``task_name`` (asked of the workers over the broker)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        for tasks in (producer.control.inspect(timeout=1).active() or {}).values():
            for task in tasks:
                if task["name"] == task_name and task.get("worker_pid"):
                    return int(task["worker_pid"])
        time.sleep(0.2)
    raise AssertionError(f"no worker child is running {task_name}")


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, workers: Workers | None = None, every: float = 0.2
) -> float:
    """Polls until ``condition()``; returns the seconds it took."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            logs = workers.tail() if workers else ""
            raise AssertionError(f"not within {timeout:.0f} s: {what}\n{logs}")
        for process in workers.running if workers else []:
            if process.poll() not in (None, -signal.SIGKILL):
                raise AssertionError(f"a worker exited with {process.returncode}\n{workers.tail()}")
        time.sleep(every)
    return time.monotonic() - began


# --- the sandbox, served from this process so its log can be read ----------------------------


class ServedSandbox:
    """The sandbox on a fixed loopback port that can go down and come back on the same port."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.server: RunningSandbox | None = RunningSandbox(sandbox).start()
        self.port = self.server.server.port
        self.url = self.server.url

    def go_down(self) -> None:
        if self.server is not None:
            self.server.stop()  # the port is closed: every connection is refused
            self.server = None

    def come_back(self) -> None:
        if self.server is None:
            self.server = RunningSandbox(self.sandbox, port=self.port).start()

    def close(self) -> None:
        self.go_down()


@pytest.fixture
def served_sandbox(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[ServedSandbox]:
    served = ServedSandbox(build_sandbox(["pasifik"]))
    # Provider requests reach only allowed origins: this test and its workers (environment) allow the sandbox.
    settings.PROVIDER_URL_ALLOWLIST = [served.url]
    monkeypatch.setenv("PROVIDER_URL_ALLOWLIST", served.url)
    yield served
    served.close()


@pytest.fixture
def pasifik_account(drill_db: dict[str, Any], served_sandbox: ServedSandbox) -> Callable[..., ProviderAccount]:
    from sandbox.management.commands.demo_setup import sandbox_credentials, sandbox_options

    def make(team: Team, **options: Any) -> ProviderAccount:
        return ProviderAccount.objects.create(
            team=team,
            kind="pasifik",
            label="Pasifik drill",
            credentials=sandbox_credentials("pasifik"),
            options={**sandbox_options("pasifik"), **options},
            base_url=f"{served_sandbox.url}/pasifik",
        )

    return make


def submitted_numbers(sandbox: Sandbox) -> list[str]:
    """Every number in every SMS submit the sandbox received, in order, as its last ten digits."""
    numbers: list[str] = []
    for recorded in sandbox.requests_for("pasifik"):
        if recorded.method != "POST" or "sms/submit" not in recorded.path:
            continue
        try:
            body = recorded.json()
        except ValueError:  # a body cut short never became a send: the sandbox refuses it too
            continue
        if recorded.path.endswith("sms/submit/"):
            numbers += [n.strip()[-10:] for n in body["to"].split(",") if n.strip()]
        elif recorded.path.endswith("sms/submit/multi/"):
            numbers += [e["to"].strip()[-10:] for e in body["envelopes"]]
    return numbers


def accepted_numbers(sandbox: Sandbox) -> list[str]:
    """Every message the sandbox accepted (its own state, not the log), as last ten digits."""
    pasifik: Any = sandbox.by_name["pasifik"]
    return [m.to[-10:] for batch in pasifik.sms_batches.values() for m in batch.messages]


def sms_submits(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests_for("pasifik", "sms/submit") if r.method == "POST")
