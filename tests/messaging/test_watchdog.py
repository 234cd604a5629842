"""A send that stops must resume: the watchdog, database errors inside a send, the time limit, the page."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from core import db
from messaging import tasks
from messaging.models import SmsBatch, SmsChunk
from messaging.numbers import Number
from messaging.recipients import Recipient
from messaging.services import create, send, send_queue
from providers.pasifik.client import PasifikClient

pytestmark = pytest.mark.django_db

NUMBERS = [f"+9053255501{n:02d}" for n in range(10)]  # 5 chunks of 2 (the fixture account's chunk size)


@pytest.fixture(autouse=True)
def _no_waiting_after_database_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "RETRY_WAIT", 0)


def _create(sms_account: Any, alice: Any, capture: Any) -> tuple[SmsBatch, list[Any]]:
    """A stored batch whose send task was queued but never ran (the worker that took it died)."""
    with capture(execute=False) as queued:
        batch = create.sms_batch_create(
            create.BatchRequest(
                team=sms_account.team,
                account=sms_account,
                actor=alice,
                sender="DEMO",
                text="Kampanya",
                recipients=[Recipient(Number(n)) for n in NUMBERS],
            )
        )
    return batch, queued


def _stop_moving(batch: SmsBatch, seconds: int = 120) -> None:
    SmsBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() - timedelta(seconds=seconds))


def _accepted(sandbox: Any) -> Counter[str]:
    return Counter("+" + m.to for b in sandbox.by_name["pasifik"].sms_batches.values() for m in b.messages)


def _submits(sandbox: Any) -> int:
    return sum(1 for r in sandbox.requests_for("pasifik", "sms/submit") if r.method == "POST")


def test_the_watchdog_resumes_a_stopped_batch_and_settles_the_chunk_cut_off_from_the_reports(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch, _lost = _create(sms_account, alice, django_capture_on_commit_callbacks)
    chunks = list(batch.chunks.order_by("index"))
    with send.client_for(sms_account) as client:
        assert send.sms_chunk_submit(chunk_id=chunks[0].pk, client=client)
        # The worker's last act: chunk 1 reached the provider, then the worker died before writing it down.
        SmsChunk.objects.filter(pk=chunks[1].pk).update(
            state=SmsChunk.State.SUBMITTING, attempts=1, attempted_at=timezone.now() - timedelta(seconds=90)
        )
        client.sms_submit(
            to=[Number(p).provider_form for p in chunks[1].recipients.values_list("phone", flat=True)],
            text=batch.text,
            sender=batch.sender,
            alphabet=batch.alphabet,
        )
    _stop_moving(batch)
    batch.refresh_from_db()
    assert send_queue.sms_batch_stalled(batch)

    with django_capture_on_commit_callbacks(execute=True) as resumed:
        result = tasks.sms_send_watchdog_task()

    assert result == "1 batches resumed, 1 chunks cut off left to the reports"
    assert len(resumed) == 1
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SUBMITTED and not send_queue.sms_batch_stalled(batch)
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.SUBMITTED}
    assert batch.chunks.filter(attempts__gt=1).count() == 0  # the cut-off chunk was matched, not sent again
    assert _submits(sandbox) == len(chunks)
    assert all(_accepted(sandbox)[n] == 1 for n in NUMBERS)


def test_a_batch_that_moved_recently_or_waits_for_a_retry_is_left_alone(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    recent, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    _stop_moving(recent, seconds=10)
    waiting, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    SmsBatch.objects.filter(pk=waiting.pk).update(progress_at=timezone.now() + timedelta(seconds=200))
    paused, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    SmsBatch.objects.filter(pk=paused.pk).update(state=SmsBatch.State.PAUSED)
    _stop_moving(paused)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert send_queue.sms_send_watchdog() == "0 batches resumed, 0 chunks cut off left to the reports"
    assert queued == []
    assert _submits(sandbox) == 0


def test_a_stopped_batch_is_queued_again_once_per_stall_period(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    _stop_moving(batch)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        send_queue.sms_send_watchdog()
        send_queue.sms_send_watchdog()  # beat's next run, while the queued send waits for a worker
    assert len(queued) == 1

    SmsBatch.objects.filter(pk=batch.pk).update(resumed_at=timezone.now() - timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        send_queue.sms_send_watchdog()
    assert len(queued) == 1  # still not moving a period later: queued again


def test_the_send_task_goes_back_to_the_queue_when_its_worker_dies_and_the_watchdog_is_on_beat() -> None:
    assert tasks.sms_batch_send_task.acks_late and tasks.sms_batch_send_task.reject_on_worker_lost
    watchdog = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.sms_send_watchdog_task.name]
    assert len(watchdog) == 1 and watchdog[0]["schedule"] < settings.SEND_STALL_SECONDS / 2


def test_a_database_error_on_one_chunk_costs_that_chunk_a_turn_not_the_batch(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    batch, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    second = batch.chunks.get(index=1).pk
    real = send.sms_chunk_submit
    failed: list[int] = []

    def flaky(*, chunk_id: int, client: Any) -> bool:
        if chunk_id == second and not failed:  # the connection dropped just as this chunk was to be claimed
            failed.append(chunk_id)
            raise OperationalError("terminating connection due to administrator command")
        return real(chunk_id=chunk_id, client=client)

    monkeypatch.setattr(send, "sms_chunk_submit", flaky)
    result = send.sms_batch_send(batch_id=batch.pk)

    assert failed == [second]
    assert result.startswith("submitted 5;")
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.SUBMITTED}
    assert batch.chunks.filter(attempts=1).count() == 5
    assert _submits(sandbox) == 5 and all(_accepted(sandbox)[n] == 1 for n in NUMBERS)


def test_a_database_error_while_recording_what_the_provider_said_is_retried_not_lost(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    batch, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    real = send.chunk_finish
    calls: list[str] = []

    def flaky(chunk: SmsChunk, state: str, **kwargs: Any) -> None:
        calls.append(state)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        real(chunk, state, **kwargs)

    monkeypatch.setattr(send, "chunk_finish", flaky)
    send.sms_batch_send(batch_id=batch.pk)

    assert calls[:2] == [SmsChunk.State.SUBMITTED, SmsChunk.State.SUBMITTED]  # the same outcome, written again
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.SUBMITTED}
    assert batch.chunks.filter(sms_id__isnull=True).count() == 0
    assert _submits(sandbox) == 5


def test_with_the_database_down_the_send_stops_and_the_watchdog_resumes_it_later(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    batch, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)

    def down(*, chunk_id: int, client: Any) -> bool:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(send, "sms_chunk_submit", down)
        with pytest.raises(OperationalError):
            send.sms_batch_send(batch_id=batch.pk)
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.QUEUED}
    assert _submits(sandbox) == 0

    _stop_moving(batch)
    with django_capture_on_commit_callbacks(execute=True):
        send_queue.sms_send_watchdog()
    assert SmsBatch.objects.get(pk=batch.pk).state == SmsBatch.State.SUBMITTED
    assert _submits(sandbox) == 5 and all(_accepted(sandbox)[n] == 1 for n in NUMBERS)


def test_a_soft_time_limit_mid_request_leaves_the_chunk_to_the_reports_and_the_send_goes_on(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    batch, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    real = PasifikClient.sms_submit
    calls: list[int] = []

    def cut_off(self: PasifikClient, **kwargs: Any) -> Any:
        calls.append(1)
        result = real(self, **kwargs)
        if len(calls) == 2:  # the provider took it; the time limit struck before its answer was read
            raise SoftTimeLimitExceeded()
        return result

    monkeypatch.setattr(PasifikClient, "sms_submit", cut_off)
    with django_capture_on_commit_callbacks(execute=False) as requeued:
        result = send.sms_batch_send(batch_id=batch.pk)

    assert result == "time limit reached; the send goes on in a new task"
    states = dict(batch.chunks.values_list("index", "state"))
    assert states == {0: "submitted", 1: "unknown", 2: "queued", 3: "queued", 4: "queued"}
    assert len(requeued) == 1  # a fresh task carries on at once

    requeued[0]()
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.SUBMITTED}
    assert batch.chunks.filter(attempts__gt=1).count() == 0
    assert _submits(sandbox) == 5 and all(_accepted(sandbox)[n] == 1 for n in NUMBERS)


def test_the_batch_page_says_stalled_resuming_instead_of_a_frozen_bar(
    sms_account, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch, _ = _create(sms_account, alice, django_capture_on_commit_callbacks)
    moving = alice_client.get(reverse("sms-progress", args=[batch.pk])).content.decode()
    assert "Stalled, resuming" not in moving and "progress-bar-animated" in moving

    _stop_moving(batch)
    for url in (reverse("sms-detail", args=[batch.pk]), reverse("sms-progress", args=[batch.pk])):
        page = alice_client.get(url).content.decode()
        assert "Stalled, resuming" in page and "data-stalled" in page
        assert "progress-bar-animated" not in page
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    page = alice_client.get(reverse("sms-progress", args=[batch.pk])).content.decode()
    assert "Durdu, yeniden başlatılıyor" in page


@pytest.mark.django_db(transaction=True)  # the page's on_commit runs at once, as in production
def test_a_send_queued_while_the_broker_is_down_is_stored_said_so_and_resumed_by_the_watchdog(
    alice_client, sms_account, sandbox, monkeypatch
) -> None:
    from kombu.exceptions import OperationalError as BrokerDown

    def down(*args: Any, **kwargs: Any) -> None:
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.sms_batch_send_task, "apply_async", down)
        response = alice_client.post(
            reverse("sms-new"),
            {"account": sms_account.pk, "sender": "DEMO", "text": "Merhaba", "recipients": "05321111111"},
        )
        assert response.status_code == 302  # not a 500
        batch = SmsBatch.objects.get()
        assert list(batch.chunks.values_list("state", flat=True)) == [SmsChunk.State.QUEUED]
        page = alice_client.get(response["Location"]).content.decode()
        assert "The background worker cannot be reached right now: the batch is sent as soon as it can be." in page
        assert "Stalled, resuming" in page
        assert _submits(sandbox) == 0
    # The broker is back: beat's next watchdog round queues the batch that was never queued, and it goes out.
    assert send_queue.sms_send_watchdog().startswith("1 batches resumed")  # the task runs eagerly in tests
    assert _submits(sandbox) == 1
    assert send_queue.sms_send_watchdog().startswith("0 batches resumed")
