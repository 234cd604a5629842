"""Each submit of a chunk is a row, as each attempt of a fax is an event; retries follow core.retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import SmsAttempt, SmsChunk
from messaging.services import auto_retry, send_queue
from messaging.services.create import BatchRequest, sms_batch_create
from tests.messaging.test_pipeline import people

pytestmark = pytest.mark.django_db


def create(account, alice, numbers):
    return sms_batch_create(
        BatchRequest(
            team=account.team, account=account, actor=alice, sender="DEMO", text="Merhaba", recipients=people(*numbers)
        )
    )


def test_a_rate_limited_chunk_has_two_attempt_rows_the_first_saying_when_the_retry_was_due(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("429", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222222"])
    chunk = batch.chunks.get()
    first, second = chunk.attempt_log.all()
    assert (first.number, first.outcome, second.number, second.outcome) == (1, "failed", 2, "submitted")
    assert first.error_stored and first.finished_at is not None and first.duration_ms is not None
    delay = timedelta(seconds=auto_retry.SEND_RETRIES.delays[0])
    assert first.retry_at is not None and first.finished_at <= first.retry_at - delay <= second.started_at
    assert second.retry_at is None and second.error_stored == {}


def test_a_refused_chunk_s_attempt_is_final_and_not_rescheduled(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("expired-token", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111"])
    [attempt] = SmsAttempt.objects.filter(chunk__batch=batch)
    assert (attempt.outcome, attempt.retry_at) == ("failed", None)
    assert "credentials" in attempt.error_text


def test_an_answer_cut_on_the_wire_is_one_attempt_settled_from_the_reports(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("truncated", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222222"])
    [attempt] = SmsAttempt.objects.filter(chunk__batch=batch)
    assert attempt.outcome == "submitted"  # unknown at first, then found in the reports


def test_a_send_cut_off_by_a_dead_worker_leaves_its_attempt_unknown(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(send_queue, "sms_batch_queue", lambda *args, **kwargs: None)
    batch = create(sms_account, alice, ["905321111111"])
    chunk = batch.chunks.get()
    long_ago = timezone.now() - timedelta(hours=1)
    SmsChunk.objects.filter(pk=chunk.pk).update(state="submitting", attempts=1, attempted_at=long_ago)
    SmsAttempt.objects.create(chunk=chunk, number=1, started_at=long_ago)

    send_queue.sms_send_watchdog()

    attempt = chunk.attempt_log.get()
    assert attempt.outcome == "unknown" and attempt.finished_at is not None and attempt.error_stored
