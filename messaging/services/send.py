"""Sending a batch: its queued chunks submitted one claim at a time, so none goes out twice."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.provider_clients import client_for
from accounts.provider_errors import AccountUnusable, describe_stored
from accounts.provider_specs.pasifik import PASIFIK
from accounts.stored_text import stored
from core.db import pause_after_error, reconnect, with_retries
from providers.errors import ProviderError, ProviderUnavailable, RateLimited, UnexpectedResponse
from providers.pasifik import PasifikClient

from ..models import SmsAttempt, SmsBatch, SmsChunk
from ..numbers import Number
from . import send_queue
from .auto_retry import sms_batch_auto_retry
from .outcomes import batch_refresh_state, chunk_finish
from .reconcile import sms_batch_reconcile

log = logging.getLogger(__name__)

# A send that hits this many database errors in a row stops; the watchdog resumes it once the database is back.
DB_ERRORS_IN_A_ROW = 5


def sms_batch_send(*, batch_id: int) -> str:
    """Submits every queued chunk of a running batch, one claim at a time."""
    batch = SmsBatch.objects.select_related("account").filter(pk=batch_id).first()
    if batch is None:  # its team was deleted while the task waited
        return "gone"
    if batch.state != SmsBatch.State.SENDING:
        return f"skipped: {batch.state}"
    stack = ExitStack()
    try:
        built: PasifikClient = client_for(batch.account, PASIFIK)
        client = stack.enter_context(built)
    except ValueError as exc:  # credentials missing or unusable: nothing can go out, and the person should know why
        reason = stored("sms.account_incomplete", reason=exc.text if isinstance(exc, AccountUnusable) else str(exc))
        for chunk in batch.chunks.filter(state=SmsChunk.State.QUEUED):
            if SmsChunk.objects.filter(pk=chunk.pk, state=SmsChunk.State.QUEUED).update(
                state=SmsChunk.State.SUBMITTING
            ):
                chunk_finish(chunk, SmsChunk.State.FAILED, error=reason)
        return "failed: account incomplete"
    with stack:
        try:
            sent = _submit_queued(batch, client)
        except SoftTimeLimitExceeded:
            # Out of time, not out of work: a fresh task carries on where this one stopped.
            send_queue.sms_batch_queue(batch.pk)
            return "time limit reached; the send goes on in a new task"
        sms_batch_reconcile(batch=batch, client=client)
    retry_in = sms_batch_auto_retry(batch)
    state = batch_refresh_state(batch)
    return f"submitted {sent}; {state}" + (f"; retry in {retry_in}s" if retry_in else "")


def _submit_queued(batch: SmsBatch, client: Any) -> int:
    """Submits the queued chunks, one claim at a time. Returns how many went out.

    A database error (a dropped connection, a restart) costs the chunk at hand
    a place at the back of the line, not the batch: the send reconnects and goes
    on, and a chunk it could not claim is tried again in a later pass.
    """
    sent = errors_in_a_row = 0
    for _pass in range(3):
        had_errors = False
        try:
            queued = list(
                batch.chunks.filter(state=SmsChunk.State.QUEUED).order_by("index").values_list("pk", flat=True)
            )
        except DatabaseError:
            queued, had_errors, errors_in_a_row = [], True, errors_in_a_row + 1
            if not _go_on_after_database_error(batch, errors_in_a_row):
                raise
        for chunk_id in queued:
            try:
                if sms_chunk_submit(chunk_id=chunk_id, client=client):
                    sent += 1
                errors_in_a_row = 0
            except DatabaseError:
                had_errors, errors_in_a_row = True, errors_in_a_row + 1
                if not _go_on_after_database_error(batch, errors_in_a_row):
                    raise
        if not had_errors:
            break
    return sent


def _go_on_after_database_error(batch: SmsBatch, errors_in_a_row: int) -> bool:
    """False when the database seems down: the send stops and the watchdog resumes it later."""
    log.warning("SMS batch %s: database error during the send (%s in a row)", batch.pk, errors_in_a_row)
    if errors_in_a_row >= DB_ERRORS_IN_A_ROW:
        return False
    reconnect()
    pause_after_error(errors_in_a_row)
    return True


def sms_chunk_submit(*, chunk_id: int, client: Any) -> bool:
    """Sends one chunk if, and only if, this call wins its claim. True when it went out."""
    now = timezone.now()
    claimed = SmsChunk.objects.filter(
        pk=chunk_id, state=SmsChunk.State.QUEUED, batch__state=SmsBatch.State.SENDING
    ).update(state=SmsChunk.State.SUBMITTING, attempts=F("attempts") + 1, attempted_at=now, error="", error_stored={})
    if claimed != 1:
        return False
    try:
        chunk = SmsChunk.objects.select_related("batch").get(pk=chunk_id)
        batch = chunk.batch
        recipients = list(chunk.recipients.values_list("phone", "text"))
        SmsBatch.objects.filter(pk=batch.pk).update(progress_at=now)
        SmsAttempt.objects.create(chunk=chunk, number=chunk.attempts, started_at=now)
    except (DatabaseError, SoftTimeLimitExceeded):
        _unclaim(chunk_id)  # nothing has gone to the provider yet
        raise
    options: dict[str, Any] = {
        "sender": batch.sender,
        "universal": True if chunk.universal else None,
        "alphabet": batch.alphabet,
        "period": batch.period,
    }
    if batch.scheduled_at and batch.scheduled_at > now:
        options["scheduled_delivery_time"] = batch.scheduled_at
    started = time.monotonic()
    try:
        if batch.personalised:
            result = client.sms_submit_multi(
                envelopes=[(Number(phone).provider_form, text) for phone, text in recipients], **options
            )
        else:
            result = client.sms_submit(
                to=[Number(phone).provider_form for phone, _ in recipients], text=batch.text, **options
            )
    except ProviderError as exc:
        outcome_unknown = isinstance(exc, UnexpectedResponse) or (
            isinstance(exc, ProviderUnavailable) and exc.request_sent
        )
        state = SmsChunk.State.UNKNOWN if outcome_unknown else SmsChunk.State.FAILED
        error, retryable = describe_stored(exc), _transient(exc)
        with_retries(lambda: chunk_finish(chunk, state, error=error, started=started, retryable=retryable))
        return False
    except SoftTimeLimitExceeded:
        # Cut off on the wire: the provider may have it, so its reports settle it.
        message = stored("sms.time_limit")
        with_retries(lambda: chunk_finish(chunk, SmsChunk.State.UNKNOWN, error=message, started=started))
        raise
    # What the provider said is known here: a lost connection must not make it unknown.
    with_retries(lambda: chunk_finish(chunk, SmsChunk.State.SUBMITTED, sms_id=result.id, started=started))
    return True


def _unclaim(chunk_id: int) -> None:
    """A claimed chunk that never reached the provider goes back in the queue, the attempt not counted."""
    try:
        reconnect()
        with transaction.atomic():
            SmsAttempt.objects.filter(chunk_id=chunk_id, outcome=SmsChunk.State.SUBMITTING).delete()
            SmsChunk.objects.filter(pk=chunk_id, state=SmsChunk.State.SUBMITTING).update(
                state=SmsChunk.State.QUEUED, attempts=F("attempts") - 1
            )
    except DatabaseError:  # it stays "submitting": the watchdog hands it to the reports, which find nothing
        log.warning("SMS chunk %s: could not be put back in the queue", chunk_id)


def _transient(exc: ProviderError) -> bool:
    return isinstance(exc, RateLimited | ProviderUnavailable)
