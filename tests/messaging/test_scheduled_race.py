"""Several workers releasing the same due batch at once, or a person cancelling it as it is released: one wins.
Several workers storing the same batch at once: every recipient stored once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from messaging.models import SmsBatch
from messaging.services import scheduled, send_queue, store
from messaging.services.create import BatchRequest, sms_batch_create
from messaging.services.errors import SmsError
from tests.messaging.test_pipeline import create, people

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 6


@pytest.fixture
def postgresql(db) -> None:
    # SQLite takes one writer at a time anyway; the race needs a database with row locks.
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/telcoportal (as CI does)"
        )


def held(account, actor) -> SmsBatch:
    return sms_batch_create(
        BatchRequest(
            team=account.team,
            account=account,
            actor=actor,
            sender="DEMO",
            text="Merhaba",
            recipients=people("905321111111", "905322222222"),
            scheduled_at=timezone.now() + timedelta(hours=3),
        )
    )


def race(*jobs: Callable[[], object]) -> list[object]:
    """Runs the jobs at the same moment, each in its own thread and connection; their results in the jobs' order."""
    start = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(n: int, job: Callable[[], object]) -> None:
        try:
            start.wait()
            try:
                results[n] = job()
            except SmsError as exc:
                results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_workers_releasing_the_same_batch_at_once_submit_it_once(postgresql, sms_account, alice, sandbox) -> None:
    batch = held(sms_account, alice)
    results = race(*[lambda: scheduled.sms_scheduled_release(now=batch.scheduled_at)] * WORKERS)
    assert (results.count(1), results.count(0)) == (1, WORKERS - 1), results
    assert len(sandbox.requests_for("pasifik", "sms/submit")) == 1
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SUBMITTED


def test_a_cancel_racing_the_release_either_wins_and_nothing_is_sent_or_is_refused(
    postgresql, sms_account, alice, sandbox
) -> None:
    batch = held(sms_account, alice)
    released, cancelled = race(
        lambda: scheduled.sms_scheduled_release(now=batch.scheduled_at),
        lambda: scheduled.sms_scheduled_cancel(batch=batch, actor=alice),
    )
    sent = len(sandbox.requests_for("pasifik", "sms/submit"))
    batch.refresh_from_db()
    if isinstance(cancelled, SmsError):
        assert released == 1 and sent == 1 and batch.state == SmsBatch.State.SUBMITTED
    else:
        assert released == 0 and sent == 0 and batch.state == SmsBatch.State.CANCELLED


def test_workers_storing_the_same_batch_at_once_store_every_recipient_once(
    postgresql, sms_account, alice, monkeypatch
) -> None:
    """A storing handed out twice (acks_late after a lost worker, the watchdog) while the first still runs."""
    queued: list[int] = []
    monkeypatch.setattr(send_queue, "sms_batch_store_queue", lambda batch_id: None)  # the workers below store it
    monkeypatch.setattr(send_queue, "sms_batch_queue", queued.append)
    monkeypatch.setattr(store, "CHUNKS_PER_STEP", 1)
    numbers = [f"90532{1000000 + n}" for n in range(40)]
    batch = create(sms_account, alice, numbers, store_later=True)
    assert batch.state == SmsBatch.State.STORING
    results = race(*[lambda: store.sms_batch_store(batch_id=batch.pk)] * WORKERS)
    assert results.count("stored 40") == 1, results
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SENDING and batch.stored_count == 40 and queued == [batch.pk]
    phones = list(batch.recipients.values_list("phone", flat=True))
    assert sorted(phones) == sorted(f"+{n}" for n in numbers)  # each once
    assert sorted(batch.chunks.values_list("index", flat=True)) == list(range(20))
