"""One beat, proven: two beats on one Redis queue each periodic task once per period.

Both beats run the Procfile's command with the production settings (so RedBeat and its lock), with
the heartbeat task's period shortened to one second (``HEARTBEAT_SECONDS=1``). No worker runs: every
message beat queues stays in the Redis list, where the drill reads them. Each heartbeat message
carries its publish time (its ``expires`` header is that time plus the period), so a second beat
queueing the same period would show as two messages a period. Then the beat holding the lock is
killed (``kill -9``: no release) and the other one must take over within the lock's lifetime.

Needs Redis only (the beats touch no database); skipped cleanly without it. CI runs it in `make test`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.drills.conftest import BROKER_URL, REDIS_DB, REDIS_HOST, REDIS_PORT, ROOT, _redis_down, procfile_command

HEARTBEAT = "telcoportal.record_heartbeat"
LOCK_SECONDS = 4


def _heartbeat_times(store: Any) -> list[float]:
    """Publish times of the queued heartbeat messages (from their ``expires``: publish time + 1 s)."""
    times = []
    for raw in store.lrange("celery", 0, -1):
        message = json.loads(raw)
        headers = message.get("headers", {})
        if headers.get("task") == HEARTBEAT:
            times.append(datetime.fromisoformat(headers["expires"]).timestamp() - 1.0)
    return sorted(times)


def _tasks(store: Any) -> Counter[str]:
    return Counter(json.loads(raw)["headers"]["task"] for raw in store.lrange("celery", 0, -1))


def _start_beat(tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "telcoportal.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": "drill-secret-key-not-for-production-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_BEAT_LOCK_SECONDS": str(LOCK_SECONDS),
        "HEARTBEAT_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        procfile_command("beat"),
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(tmp_path.glob("*.log")))


def _wait(condition: Any, timeout: float, what: str, tmp_path: Path) -> None:
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise AssertionError(f"not within {timeout:.0f} s: {what}\n{_logs(tmp_path)}")
        time.sleep(0.2)


def _once_per_period(times: list[float]) -> None:
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert gaps and min(gaps) > 0.5, f"two heartbeats queued within one period: {gaps}"


def test_two_beats_queue_each_periodic_task_once_per_period(tmp_path: Path) -> None:
    reason = _redis_down()
    if reason:
        pytest.skip(f"the beat drill needs Redis on {REDIS_HOST}:{REDIS_PORT}; {reason}")
    import redis

    store = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    store.flushdb()
    beats = [_start_beat(tmp_path, "beat1"), _start_beat(tmp_path, "beat2")]
    try:
        _wait(lambda: len(_heartbeat_times(store)) >= 3, 60, "the first heartbeats", tmp_path)
        store.delete("celery")  # from here on, both beats have long started
        time.sleep(10)
        times = _heartbeat_times(store)
        assert all(b.poll() is None for b in beats), _logs(tmp_path)
        # Ten seconds of a one-second period: about ten messages, never two for one period (two beats: ~20).
        assert 7 <= len(times) <= 12, f"{len(times)} heartbeats in 10 s\n{_logs(tmp_path)}"
        _once_per_period(times)
        # The other periodic tasks (the watchdogs, every 10 s or more) at most once in the window too.
        assert all(n <= 2 for task, n in _tasks(store).items() if task != HEARTBEAT), _tasks(store)

        # The beat that sends (holds the lock) dies without releasing it; the other takes over.
        holder = beats[0] if "Sending due task" in (tmp_path / "beat1.log").read_text(errors="replace") else beats[1]
        waiting = beats[1] if holder is beats[0] else beats[0]
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        store.delete("celery")
        killed_at = time.time()
        _wait(lambda: len(_heartbeat_times(store)) >= 3, LOCK_SECONDS + 30, "the standby beat taking over", tmp_path)
        times = _heartbeat_times(store)
        assert times[0] - killed_at < LOCK_SECONDS + 15, f"took over after {times[0] - killed_at:.1f} s"
        _once_per_period(times)
        assert waiting.poll() is None
    finally:
        for beat in beats:
            if beat.poll() is None:
                os.killpg(beat.pid, signal.SIGTERM)
                try:
                    beat.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(beat.pid, signal.SIGKILL)
        store.flushdb()
