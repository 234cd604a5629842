"""Sending a delivery: claimed so it never goes out twice, each outcome recorded, retried on a schedule.

A queued delivery is claimed atomically (queued and due → sending) by whoever comes first: the task
queued when the fax's deliveries were made, or the sweep of due deliveries (every minute, from beat),
which also picks up retries and a delivery whose task the broker lost. A mail certainly not handed
over (server down, 4xx) is queued again at the next time of ``RETRY_SCHEDULE``; after its last
attempt it has failed. A 5xx is final (bounced for a refused address). A connection that broke while
the server had the message, or a claim whose worker vanished, leaves the outcome unknown: recorded,
shown, and sent again only when an admin chooses to (``delivery_resend``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from core.retries import RetrySchedule

from .message import DocumentUnreadable, delivery_message
from .models import Delivery
from .outcomes import Outcome, Result
from .smtp import transmit

log = logging.getLogger(__name__)

# Seconds before the 2nd, 3rd, … attempt: a minute doubling to 4 h, 9 attempts over about 8 hours.
RETRY_SCHEDULE = RetrySchedule(delays=(60, 120, 300, 600, 1800, 3600, 7200, 14400))
# A delivery still "sending" this long after its claim: its worker is gone (well above the task's time limit).
STALE_CLAIM = timedelta(minutes=10)

State = Delivery.State


def delivery_claim(*, delivery_id: int, now: datetime) -> bool:
    due = Delivery.objects.filter(pk=delivery_id, state=State.QUEUED).exclude(next_attempt_at__gt=now)
    return due.update(state=State.SENDING, claimed_at=now) == 1


def delivery_send(*, delivery_id: int) -> str:
    """One attempt of the delivery, if it is due and nobody else holds it; returns what became of it."""
    if not delivery_claim(delivery_id=delivery_id, now=timezone.now()):
        return "not due"
    delivery = Delivery.objects.select_related("fax__team").get(pk=delivery_id)
    try:
        message, how = delivery_message(delivery)
    except DocumentUnreadable as exc:
        log.warning("fax mail delivery %s: document unreadable (%s)", delivery.pk, exc)
        return outcome_record(delivery=delivery, outcome=Outcome(Result.TEMPORARY, "document_unreadable"), how="")
    return outcome_record(delivery=delivery, outcome=transmit(message), how=how)


@transaction.atomic
def outcome_record(*, delivery: Delivery, outcome: Outcome, how: str) -> str:
    now = timezone.now()
    number = delivery.attempts + 1
    fields: dict[str, object] = {
        "attempts": number,
        "claimed_at": None,
        "error_key": outcome.key,
        "error_detail": outcome.detail if outcome.result != Result.SENT else "",
        "document": how,
        "next_attempt_at": None,
    }
    if outcome.result == Result.SENT:
        fields.update(state=State.SENT, sent_at=now, error_key="")
    elif outcome.result == Result.BOUNCED:
        fields.update(state=State.BOUNCED)
    elif outcome.result == Result.UNKNOWN:
        fields.update(state=State.UNKNOWN)
    elif outcome.result == Result.TEMPORARY and (due := RETRY_SCHEDULE.next_due(attempts=number, last_attempt_at=now)):
        fields.update(state=State.QUEUED, next_attempt_at=due)
    else:
        fields.update(state=State.FAILED)
    Delivery.objects.filter(pk=delivery.pk, state=State.SENDING).update(**fields)
    if outcome.result != Result.SENT:
        log.info("fax mail delivery %s: %s (%s)", delivery.pk, fields["state"], outcome.key)
    return "retry" if fields["state"] == State.QUEUED else str(fields["state"])


def deliveries_due(*, now: datetime | None = None) -> list[int]:
    """The deliveries whose attempt is due; a claim left by a vanished worker becomes "outcome unknown"."""
    now = now or timezone.now()
    Delivery.objects.filter(state=State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        state=State.UNKNOWN, claimed_at=None, error_key="worker_lost", error_detail=""
    )
    return list(
        Delivery.objects.filter(state=State.QUEUED)
        .exclude(next_attempt_at__gt=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )


RESENDABLE = (State.FAILED, State.BOUNCED, State.UNKNOWN)


def delivery_resend(*, delivery: Delivery, actor: User, request: object = None) -> bool:
    """An admin's choice to send a delivery that failed or whose outcome is unknown again (audited)."""
    with transaction.atomic():
        if not Delivery.objects.filter(pk=delivery.pk, state__in=RESENDABLE).update(
            state=State.QUEUED,
            next_attempt_at=None,
            claimed_at=None,
            attempts=0,  # a new round of the schedule
        ):
            return False
        audit_record(
            team=delivery.fax.team,
            actor=actor,
            action="fax_mail.resend",
            target=delivery.fax,
            request=request,  # type: ignore[arg-type]
            email=delivery.email,
            previous_state=delivery.state,
        )
    from .tasks import delivery_send_task

    delivery_send_task.delay_on_commit(delivery.pk)
    return True
