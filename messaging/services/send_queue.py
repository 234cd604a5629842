"""A batch's send on the Celery queue: queued after commit, noticed when it stops, resumed by the watchdog."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.stored_text import stored

from ..models import SmsAttempt, SmsBatch, SmsChunk

log = logging.getLogger(__name__)

DEFAULT_STALL_SECONDS = 60


def sms_batch_queue(batch_id: int, countdown: int | None = None) -> None:
    """Queues the batch's send once the transaction commits; with a countdown, after that many seconds."""
    from ..tasks import sms_batch_send_task

    def stalled() -> None:  # the batch is stored: from now on its page says so and the next watchdog round resumes it
        if not countdown:
            SmsBatch.objects.filter(pk=batch_id, state=SmsBatch.State.SENDING).update(
                progress_at=timezone.now() - stall_period() - timedelta(seconds=1)
            )

    sms_batch_send_task.apply_async_on_commit((batch_id,), countdown=countdown or None, on_queue_error=stalled)


def sms_batch_store_queue(batch_id: int) -> None:
    """Queues the storing of a ``storing`` batch's recipients once the transaction commits."""
    from ..tasks import sms_batch_store_task

    def stalled() -> None:  # the watchdog's next round queues it again
        SmsBatch.objects.filter(pk=batch_id, state=SmsBatch.State.STORING).update(
            progress_at=timezone.now() - stall_period() - timedelta(seconds=1)
        )

    sms_batch_store_task.apply_async_on_commit((batch_id,), on_queue_error=stalled)


def stall_period() -> timedelta:
    """How long a sending batch may go without progress before its send counts as stopped."""
    return timedelta(seconds=getattr(settings, "SEND_STALL_SECONDS", DEFAULT_STALL_SECONDS))


def sms_batch_stalled(batch: SmsBatch) -> bool:
    """A sending batch that has not moved for a while: its send stopped (the watchdog resumes it)."""
    return batch.state == SmsBatch.State.SENDING and batch.progress_at < timezone.now() - stall_period()


def sms_send_watchdog() -> str:
    """Resumes the sends that stopped: a worker killed, a database error, a time limit.

    A batch whose recipients are still being stored and whose storing has not moved for as long
    gets its storing queued again (the storing skips whatever was written).

    A chunk claimed longer ago than any request takes was cut off on the wire:
    its outcome is unknown, so the provider's reports settle it (never a blind
    resubmit). A sending batch that has not moved for ``SEND_STALL_SECONDS`` gets
    its send queued again, once per that period; the chunk claims make a second
    send task harmless should the first one be alive after all.
    """
    now = timezone.now()
    cutoff = now - stall_period()
    with transaction.atomic():
        SmsAttempt.objects.filter(
            outcome=SmsChunk.State.SUBMITTING,
            chunk__state=SmsChunk.State.SUBMITTING,
            chunk__attempted_at__lt=cutoff,
        ).update(outcome=SmsChunk.State.UNKNOWN, error="", error_stored=stored("sms.cut_off"), finished_at=now)
        cut_off = SmsChunk.objects.filter(state=SmsChunk.State.SUBMITTING, attempted_at__lt=cutoff).update(
            state=SmsChunk.State.UNKNOWN,
            error="",
            error_stored=stored("sms.cut_off"),
        )
    moving = (SmsBatch.State.SENDING, SmsBatch.State.STORING)
    stalled = SmsBatch.objects.filter(state__in=moving, progress_at__lt=cutoff).filter(
        Q(resumed_at__isnull=True) | Q(resumed_at__lt=cutoff)
    )
    resumed = 0
    for pk, state in list(stalled.values_list("pk", "state")[:200]):
        if stalled.filter(pk=pk).update(resumed_at=now):
            if state == SmsBatch.State.STORING:  # its storing stopped (a worker lost, the queue unreachable)
                log.warning("SMS batch %s stored nothing for %s: its storing is queued again", pk, stall_period())
                sms_batch_store_queue(pk)
            else:
                log.warning("SMS batch %s made no progress for %s: its send is queued again", pk, stall_period())
                sms_batch_queue(pk)
            resumed += 1
    return f"{resumed} batches resumed, {cut_off} chunks cut off left to the reports"
