"""A send that stops must resume: three drills against the production worker, beat and settings.

Each drill starts a batch of 2,000 recipients (40 chunks of 50, each submit held
0.25 s by the sandbox), breaks the send mid-batch, and checks from the sandbox's
request log that the batch resumes within 90 s and finishes with every number
submitted exactly once:

- **child kill**: ``kill -9`` of the prefork child running the send task (the
  worker's main process lives: what an out-of-memory kill does). The task is
  ``acks_late`` + ``reject_on_worker_lost``, so it goes back to the queue at once.
- **worker kill**: ``kill -9`` of the whole worker, then a new one. Redis would
  hand the unacknowledged task out again only after its 600 s visibility
  timeout; the send watchdog (beat, every 10 s) resumes the batch once it has
  not moved for ``SEND_STALL_SECONDS`` (60 s).
- **database connections dropped**: ``pg_terminate_backend`` of every
  connection of the app mid-batch. The send catches the error on the chunk at
  hand, reconnects and goes on by itself.

The chunk on the wire when a worker dies is left "submitting": the watchdog
marks it outcome-unknown and the provider's reports settle it; it is never
submitted again blindly.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection

from accounts.models import Team
from messaging.models import SmsBatch, SmsChunk, SmsRecipient
from messaging.numbers import Number
from messaging.recipients import Recipient
from messaging.services import create
from tests.drills.conftest import (
    Workers,
    accepted_numbers,
    child_running,
    publish_after_commit,
    sms_submits,
    submitted_numbers,
    wait_until,
)

SIZE = 2_000
CHUNK = 50
LATENCY = 0.25  # seconds the sandbox holds each submit: a kill most likely lands with one on the wire
BREAK_AFTER = 10  # submits seen by the sandbox before the send is broken
RESUME_WITHIN = 90  # seconds
SEND_TASK = "messaging.send_batch"


@dataclass
class Drill:
    name: str
    sandbox: Any
    producer: Any
    workers: Workers
    batch: SmsBatch
    numbers: list[str]
    demo_messages: Counter[str]
    began: float
    broken_at: float = 0.0
    at_break: Counter[str] | None = None
    submits_at_break: int = 0

    @classmethod
    def start(cls, name: str, prefix: str, producer: Any, workers: Workers, served: Any, make_account: Any) -> Drill:
        sandbox = served.sandbox
        team = Team.objects.create(name=f"{name} drill team")
        account = make_account(team, sms_chunk_size=CHUNK)
        # …1 is delivered, …9 undelivered (every 50th): both are final states the batch can complete with.
        numbers = [f"90{prefix}{n:06d}" + ("9" if n % 50 == 0 else "1") for n in range(SIZE)]
        sandbox.inject("latency", provider="pasifik", path="sms/submit", times=10 * SIZE, delay=LATENCY)
        demo_messages = Counter(accepted_numbers(sandbox))  # the sandbox starts with a few sends of its own
        workers.start()
        workers.start_beat()
        began = time.monotonic()
        batch = create.sms_batch_create(
            create.BatchRequest(
                team=team,
                account=account,
                actor=None,
                sender="DEMO",
                text=f"Tatbikat ({name}): bu mesaj bir kez gelir.",
                recipients=[Recipient(Number("+" + n)) for n in numbers],
            )
        )
        wait_until(
            lambda: sms_submits(sandbox) >= BREAK_AFTER,
            timeout=120,
            what="the first submits",
            workers=workers,
            every=0.01,
        )
        return cls(name, sandbox, producer, workers, batch, numbers, demo_messages, began)

    def broken(self) -> None:
        """Call right after breaking the send: notes the moment and what the chunks were then."""
        self.broken_at = time.monotonic()
        time.sleep(0.5)  # a request accepted just before the break is logged when its thread starts
        self.submits_at_break = sms_submits(self.sandbox)
        self.at_break = Counter(self.batch.chunks.values_list("state", flat=True))
        assert self.at_break["queued"] > 0, self.at_break  # the break came in the middle of the batch

    def resumed_within(self) -> float:
        wait_until(
            lambda: sms_submits(self.sandbox) > self.submits_at_break,
            timeout=RESUME_WITHIN,
            what=f"{self.name}: the batch resumes",
            workers=self.workers,
        )
        return time.monotonic() - self.broken_at

    def finishes_with_every_number_once(self, resumed_in: float) -> None:
        sandbox, batch = self.sandbox, self.batch
        wait_until(
            lambda: _state(batch) == SmsBatch.State.SUBMITTED,
            timeout=300,
            what=f"{self.name}: every chunk submitted or settled from the reports",
            workers=self.workers,
        )
        submitted_at = time.monotonic() - self.broken_at
        sandbox.clock.advance(120)  # deliveries settle in sandbox time

        def completed() -> bool:
            if _state(batch) == SmsBatch.State.COMPLETED:
                return True
            publish_after_commit(self.producer, "messaging.poll_reports")  # sooner than beat
            time.sleep(1)
            return False

        wait_until(completed, timeout=180, what=f"{self.name}: the batch completes", workers=self.workers)
        completed_at = time.monotonic() - self.broken_at

        sent = Counter(submitted_numbers(sandbox))
        accepted = Counter(accepted_numbers(sandbox)) - self.demo_messages
        twice = [n for n, c in sent.items() if c > 1]
        missed = [n for n in self.numbers if n[-10:] not in sent]
        assert not twice, f"{len(twice)} numbers submitted more than once, e.g. {twice[:5]}"
        assert not missed, f"{len(missed)} numbers never submitted, e.g. {missed[:5]}"
        assert sum(sent.values()) == SIZE
        assert accepted == sent  # what the provider kept is exactly what the log shows
        assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.SUBMITTED}
        states = Counter(batch.recipients.values_list("state", flat=True))
        assert states == {SmsRecipient.State.DELIVERED: SIZE - SIZE // 50, SmsRecipient.State.UNDELIVERED: SIZE // 50}
        print(
            f"\n{self.name} drill: {SIZE:,} recipients in {SIZE // CHUNK} chunks; broken "
            f"{self.broken_at - self.began:.1f} s in with chunks {dict(self.at_break or {})}; resumed "
            f"{resumed_in:.1f} s later; all submitted {submitted_at:.1f} s and completed {completed_at:.1f} s "
            f"after the break; {sms_submits(sandbox)} submit requests, {sum(sent.values()):,} numbers, "
            f"{len(twice)} twice, {len(missed)} missed"
        )


def _state(batch: SmsBatch) -> str:
    return SmsBatch.objects.values_list("state", flat=True).get(pk=batch.pk)


def test_kill_9_of_the_worker_child_running_the_send(
    queue_through_broker, workers, served_sandbox, pasifik_account
) -> None:
    drill = Drill.start("child kill", "532", queue_through_broker, workers, served_sandbox, pasifik_account)
    child = child_running(queue_through_broker, SEND_TASK)
    os.kill(child, signal.SIGKILL)
    drill.broken()
    assert workers.running[0].poll() is None  # the worker's main process lives on

    resumed_in = drill.resumed_within()
    drill.finishes_with_every_number_once(resumed_in)


def test_kill_9_of_the_whole_worker_and_a_new_one(
    queue_through_broker, workers, served_sandbox, pasifik_account
) -> None:
    drill = Drill.start("worker kill", "533", queue_through_broker, workers, served_sandbox, pasifik_account)
    workers.kill(workers.running[0])
    drill.broken()
    workers.start()  # what systemd's Restart=always or the platform does

    resumed_in = drill.resumed_within()  # not after the 600 s visibility timeout: the watchdog
    assert SmsBatch.objects.get(pk=drill.batch.pk).resumed_at is not None
    drill.finishes_with_every_number_once(resumed_in)


def test_the_database_drops_every_connection_of_the_app_mid_batch(
    queue_through_broker, workers, served_sandbox, pasifik_account
) -> None:
    drill = Drill.start("database drop", "534", queue_through_broker, workers, served_sandbox, pasifik_account)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (terminated,) = cursor.fetchone()
    drill.broken()
    assert terminated >= 1  # the worker's connections

    resumed_in = drill.resumed_within()
    drill.finishes_with_every_number_once(resumed_in)
    # The send went on by itself, on a new connection: the watchdog never had to step in.
    assert SmsBatch.objects.get(pk=drill.batch.pk).resumed_at is None
