"""What a chunk's outcome does to its recipients and its batch, and when a batch is done."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.db.models import Count, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.stored_text import StoredText

from ..models import SmsAttempt, SmsBatch, SmsChunk, SmsRecipient
from ..webhook_events import sms_batch_finished_emit, sms_chunk_refused_emit


@transaction.atomic
def chunk_finish(
    chunk: SmsChunk,
    state: str,
    *,
    sms_id: int | None = None,
    error: StoredText | str = "",
    started: float | None = None,
    retryable: bool = False,
) -> None:
    """Records how a chunk ended (or that its outcome is unknown) on it and its open attempt; its recipients follow.

    A chunk's error is kept as a key and parameters; its recipients' provider status is the provider's words only.
    """
    fields: dict[str, Any] = {"state": state, "auto_retry": retryable}
    if isinstance(error, str):
        fields.update(error=error, error_stored={})
    else:
        fields.update(error="", error_stored=error)
    if started is not None:
        fields["duration_ms"] = int((time.monotonic() - started) * 1000)
    if state == SmsChunk.State.SUBMITTED:
        fields.update(sms_id=sms_id, submitted_at=timezone.now())
        recipient_state = SmsRecipient.State.WAITING
    elif state == SmsChunk.State.FAILED:
        recipient_state = SmsRecipient.State.FAILED
    else:
        recipient_state = SmsRecipient.State.PENDING
    SmsChunk.objects.filter(pk=chunk.pk).update(**fields)
    attempt = {key: fields[key] for key in ("error", "error_stored", "duration_ms") if key in fields}
    SmsAttempt.objects.filter(chunk_id=chunk.pk, outcome__in=SmsAttempt.OPEN).update(
        outcome=state, finished_at=Coalesce("finished_at", Value(timezone.now())), **attempt
    )
    if state == SmsChunk.State.FAILED and not retryable:  # final unless a person retries the batch
        sms_chunk_refused_emit(chunk=chunk)
    chunk.recipients.exclude(state=recipient_state).update(state=recipient_state, status_text="")
    SmsBatch.objects.filter(pk=chunk.batch_id).update(progress_at=timezone.now())


def chunks_requeue(chunk_ids: list[int]) -> int:
    """Failed chunks go back in the queue, their recipients back to not sent yet."""
    count = SmsChunk.objects.filter(pk__in=chunk_ids, state=SmsChunk.State.FAILED).update(state=SmsChunk.State.QUEUED)
    SmsRecipient.objects.filter(chunk_id__in=chunk_ids, state=SmsRecipient.State.FAILED).update(
        state=SmsRecipient.State.PENDING, status_text=""
    )
    return count


def batch_refresh_state(batch: SmsBatch) -> str:
    """Sending → submitted once no chunk is left to send; submitted → completed once every report is final."""
    counts = dict(batch.chunks.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    open_chunks = sum(counts.get(s, 0) for s in ("queued", "submitting", "unknown"))
    batch.refresh_from_db(fields=["state"])
    if batch.state == SmsBatch.State.SENDING and open_chunks == 0:
        SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SENDING).update(state=SmsBatch.State.SUBMITTED)
        batch.state = SmsBatch.State.SUBMITTED
    if batch.state == SmsBatch.State.SUBMITTED:
        waiting = batch.recipients.filter(state__in=(SmsRecipient.State.WAITING, SmsRecipient.State.PENDING)).exists()
        if not waiting:  # failed chunks are final too: the batch finished, with failures
            if SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SUBMITTED).update(
                state=SmsBatch.State.COMPLETED
            ):
                _batch_finished_notify(batch)
            batch.state = SmsBatch.State.COMPLETED
    return batch.state


def _batch_finished_notify(batch: SmsBatch) -> None:
    """Tells the team, once (the caller won the state change), how a batch ended."""
    from notifications.services import batch_finished_notify

    counts = dict(batch.recipients.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    batch_finished_notify(
        team=batch.team,
        batch_id=batch.pk,
        sender=batch.sender,
        delivered=counts.get(SmsRecipient.State.DELIVERED, 0),
        undelivered=counts.get(SmsRecipient.State.UNDELIVERED, 0),
        failed=counts.get(SmsRecipient.State.FAILED, 0),
    )
    sms_batch_finished_emit(batch=batch, counts=counts)
