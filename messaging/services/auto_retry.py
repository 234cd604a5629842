"""Chunks the provider turned away for a passing reason (429, 5xx before it acted) go back in the queue,
on the schedule every automatic retry follows (``core.retries``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.retries import RetrySchedule

from ..models import SmsAttempt, SmsBatch, SmsChunk
from . import send_queue
from .outcomes import chunks_requeue

# Seconds before the 2nd, 3rd and 4th submit of a chunk the provider certainly refused (429, 5xx before it acted).
SEND_RETRIES = RetrySchedule(delays=(10, 60, 300))


def sms_batch_auto_retry(batch: SmsBatch) -> int | None:
    """Queues the batch's retryable failed chunks again while attempts are left. Returns the delay, else None.

    The chunk with the fewest attempts sets the time; each requeued chunk's last attempt row says when
    the next one is due.
    """
    candidates = batch.chunks.filter(state=SmsChunk.State.FAILED, auto_retry=True)
    attempts = candidates.order_by("attempts").values_list("attempts", flat=True).first()
    if attempts is None:
        return None
    due = SEND_RETRIES.next_due(attempts=attempts, last_attempt_at=timezone.now())
    if due is None:
        return None
    if not SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SENDING).exists():
        return None
    delay = SEND_RETRIES.delay_after(attempts)
    with transaction.atomic():
        ids = list(candidates.filter(attempts__lt=SEND_RETRIES.max_attempts).values_list("pk", flat=True))
        chunks_requeue(ids)
        SmsAttempt.objects.filter(chunk_id__in=ids, outcome=SmsChunk.State.FAILED, retry_at__isnull=True).update(
            retry_at=due
        )
        # Waiting for the countdown is not a stall.
        SmsBatch.objects.filter(pk=batch.pk).update(progress_at=due)
        send_queue.sms_batch_queue(batch.pk, countdown=delay)
    return delay
