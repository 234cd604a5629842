"""Sending a delivery: claimed so it never goes out twice at once, every attempt recorded, retried on a schedule.

A pending delivery is claimed atomically (pending and due → sending) by whoever comes first: the
task queued when the event was stored, or the sweep of due deliveries (every minute, from beat),
which also picks up retries and a delivery whose task the broker lost. A failed attempt makes the
delivery pending again with its next due time from ``RETRY_SCHEDULE`` (exponential, a day in
all); after its last attempt it has failed. An endpoint that has done nothing but fail for
``WEBHOOKS_DISABLE_AFTER_HOURS`` is disabled and the team's admins are told.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import role_has
from core.retries import RetrySchedule
from notifications.models import Kind
from notifications.services import notify

from .models import Attempt, Delivery, Endpoint
from .sending import Outcome, post
from .signing import body_of

log = logging.getLogger(__name__)

# Seconds before the 2nd, 3rd, … attempt: 30 s doubling up to 8 h, 11 retries over 23 h 48 min.
RETRY_SCHEDULE = RetrySchedule(delays=(30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 28800))
# A delivery still "sending" this long after its claim was lost with its worker: it is tried again. Well above
# the task's time limit, so a claim still at work is never taken from it.
STALE_CLAIM = timedelta(minutes=10)


def payload_of(delivery: Delivery) -> dict[str, Any]:
    event = delivery.event
    return {
        "id": str(event.public_id),
        "type": event.type,
        "created": event.created_at.isoformat(),
        "team": delivery.team_id,
        "data": event.data,
    }


def delivery_claim(*, delivery_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Delivery.objects.filter(due, pk=delivery_id, state=Delivery.State.PENDING).update(
        state=Delivery.State.SENDING, claimed_at=now
    )
    return claimed == 1


def delivery_send(*, delivery_id: int) -> str:
    """One attempt of the delivery, if it is due and nobody else is sending it."""
    if not delivery_claim(delivery_id=delivery_id, now=timezone.now()):
        return "not due"
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:  # it waits: enabling the endpoint again sends it
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING)
        return "endpoint disabled"
    started_at = timezone.now()
    outcome = post(
        url=endpoint.url,
        body=body_of(payload_of(delivery)),
        secret=endpoint.signing_secret,
        event_type=delivery.event.type,
        delivery_id=str(delivery.public_id),
    )
    return attempt_record(delivery=delivery, outcome=outcome, started_at=started_at)


@transaction.atomic
def attempt_record(*, delivery: Delivery, outcome: Outcome, started_at: datetime) -> str:
    number = delivery.attempts + 1
    Attempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started_at,
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code,
        response_excerpt=outcome.response_excerpt,
        error=outcome.error,
        error_detail=outcome.error_detail,
    )
    now = timezone.now()
    endpoint = delivery.endpoint
    if not outcome.error:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.SUCCEEDED, attempts=number, next_attempt_at=None, finished_at=now
        )
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return "delivered"
    due = RETRY_SCHEDULE.next_due(attempts=number, last_attempt_at=now)
    if due is None:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED, attempts=number, next_attempt_at=None, finished_at=now
        )
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.PENDING, attempts=number, next_attempt_at=due
        )
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=started_at)
    endpoint.refresh_from_db(fields=["failing_since", "is_active"])
    limit = now - timedelta(hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS)
    if endpoint.is_active and endpoint.failing_since is not None and endpoint.failing_since <= limit:
        endpoint_disable_failing(endpoint=endpoint)
    return "retry" if due is not None else "failed"


def endpoint_disable_failing(*, endpoint: Endpoint) -> bool:
    """Disables an endpoint that kept failing and tells the team's admins, once."""
    now = timezone.now()
    if not Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_by=Endpoint.DisabledBy.FAILURES, disabled_at=now
    ):
        return False
    log.warning("webhook endpoint %s disabled after failing since %s", endpoint.pk, endpoint.failing_since)
    since = (endpoint.failing_since or now).isoformat()
    url = reverse("webhook-detail", args=[endpoint.pk])
    for membership in endpoint.team.memberships.select_related("user").filter(user__is_active=True):
        if role_has(membership.role, "manage_webhooks"):
            notify(
                team=endpoint.team,
                kind=Kind.WEBHOOK_DISABLED,
                params={"url": endpoint.url[:200], "since": since},
                url=url,
                recipient=membership.user,
            )
    return True


def deliveries_due(*, now: datetime | None = None) -> list[int]:
    """The deliveries whose attempt is due, a lost claim's included (made pending again)."""
    now = now or timezone.now()
    Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        state=Delivery.State.PENDING, next_attempt_at=now
    )
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
