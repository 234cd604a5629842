"""Chunks the provider turned away for a passing reason (429, 5xx before it acted) go back in the queue, a few times."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import SmsBatch, SmsChunk
from . import send_queue
from .outcomes import chunks_requeue

AUTO_RETRY_DELAYS = (10, 60, 300)  # seconds, for chunks the provider certainly refused (429, 5xx before it acted)


def sms_batch_auto_retry(batch: SmsBatch) -> int | None:
    """Queues the batch's retryable failed chunks again, a few times. Returns the delay, None when none is."""
    candidates = batch.chunks.filter(state=SmsChunk.State.FAILED, auto_retry=True)
    attempts = candidates.order_by("attempts").values_list("attempts", flat=True).first()
    if attempts is None or attempts > len(AUTO_RETRY_DELAYS):
        return None
    if not SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SENDING).exists():
        return None
    delay = AUTO_RETRY_DELAYS[attempts - 1]
    with transaction.atomic():
        ids = list(candidates.filter(attempts__lte=len(AUTO_RETRY_DELAYS)).values_list("pk", flat=True))
        chunks_requeue(ids)
        # Waiting for the countdown is not a stall.
        SmsBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() + timedelta(seconds=delay))
        send_queue.sms_batch_queue(batch.pk, countdown=delay)
    return delay
