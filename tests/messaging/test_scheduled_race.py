"""Several workers releasing the same due batch at once, or a person cancelling it as it is released: one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from messaging.models import SmsBatch
from messaging.services import scheduled
from messaging.services.create import BatchRequest, sms_batch_create
from messaging.services.errors import SmsError
from tests.messaging.test_pipeline import people

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
