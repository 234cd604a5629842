"""Automatic retries of a send the provider refused for now (unavailable before it acted, rate limited).

The schedule is the one every automatic retry follows (``core.retries``). Each attempt is a row on the
fax's timeline (a ``FaxEvent`` of kind "attempt"); ``Fax.attempts`` counts them. A refused attempt puts
the fax back in the queue while the schedule allows another, then fails it; the send task queues the next
attempt ``next_attempt_delay`` seconds later, and the watchdog resumes one whose task was lost only once
that delay has passed (``due_again``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.stored_text import StoredText
from accounts.stored_text import stored as keyed
from core.retries import RetrySchedule

from ..models import Fax, Status
from .status import add_event, finish, set_error

SEND_RETRIES = RetrySchedule(delays=(60, 300))  # seconds before the 2nd and 3rd attempt


def next_attempt_delay(fax_id: int) -> int:
    """Seconds until the next attempt of a fax ``requeue_or_fail`` put back in the queue."""
    attempts = Fax.objects.filter(pk=fax_id).values_list("attempts", flat=True).first() or 1
    return SEND_RETRIES.delay_after(attempts)


def requeue_or_fail(fax: Fax, message: StoredText | str) -> str:
    """After a refused attempt: back in the queue ("retry-later"), or failed once the attempts are spent."""
    if not SEND_RETRIES.may_retry(fax.attempts):
        finish(fax, Status.FAILED, message=keyed("gave_up", error=message, n=fax.attempts))
        return "failed"
    fields = set_error(fax, message)
    Fax.objects.filter(pk=fax.pk).update(status=Status.QUEUED, status_changed_at=timezone.now(), **fields)
    fax.status = Status.QUEUED
    add_event(fax, "requeued", Status.QUEUED, message)
    return "retry-later"


def due_again(idle_since: datetime) -> Q:
    """Queued faxes (annotated with ``last_moved``) whose next attempt is due and that sat still since
    ``idle_since`` on top of it: a fax waiting out its retry delay is not stale, one out of attempts never due.
    """
    due = Q(attempts=0, last_moved__lt=idle_since)
    for attempts in range(1, SEND_RETRIES.max_attempts):
        due |= Q(attempts=attempts, last_moved__lt=idle_since - timedelta(seconds=SEND_RETRIES.delay_after(attempts)))
    return due
