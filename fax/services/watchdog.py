"""Sends that stopped (a lost task, a worker that died on the wire) and faxes stuck in one state too long."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Direction, Fax, Status
from ..notices import fax_stuck_notify
from ..timeline import render
from .retry import due_again
from .sending import SEND_TIME_LIMIT, outcome_unknown
from .status import add_event

log = logging.getLogger(__name__)

DEFAULT_STALL_SECONDS = 60
STUCK_AFTER = {Status.QUEUED: timedelta(minutes=30), Status.SENDING: timedelta(hours=3)}


def _stall() -> timedelta:
    return timedelta(seconds=getattr(settings, "SEND_STALL_SECONDS", DEFAULT_STALL_SECONDS))


def stale_queued() -> list[int]:
    """Queued faxes whose send task is gone (a worker died, a database error): safe to queue again, the claim
    prevents a double send. A fax waiting out a retry delay is not stale; each is returned once per stall period.
    """
    stale = list(
        Fax.objects.filter(direction=Direction.OUTGOING, status=Status.QUEUED)
        .annotate(last_moved=Coalesce(Max("events__at"), "status_changed_at"))
        .filter(due_again(timezone.now() - _stall()))
        .order_by("status_changed_at")[:200]
    )
    for fax in stale:
        add_event(fax, "resumed", Status.QUEUED, key="resumed")
    return [fax.pk for fax in stale]


def sends_cut_off() -> list[int]:
    """Faxes claimed for sending longer ago than a send task can live, with no provider id: the worker died
    with the request on its way. Marked outcome-unknown (and returned) so the provider's records settle them.
    """
    cutoff = timezone.now() - max(_stall(), timedelta(seconds=SEND_TIME_LIMIT))
    cut_off = Fax.objects.filter(
        direction=Direction.OUTGOING,
        status=Status.SENDING,
        provider_id="",
        outcome_unknown=False,
        status_changed_at__lt=cutoff,
    )
    marked = []
    for fax in cut_off[:200]:
        outcome_unknown(fax, None, fax.status_changed_at)
        marked.append(fax.pk)
    return marked


def fax_watchdog() -> int:
    """Flags (once) faxes that sat in one state too long, and tells the team."""
    flagged = 0
    now = timezone.now()
    for status, limit in STUCK_AFTER.items():
        # A fax scheduled for later is not stuck while it waits for its time.
        due = Q(scheduled_at__isnull=True) | Q(scheduled_at__lt=now - limit)
        waiting_too_long = Fax.objects.filter(due, status=status, is_stuck=False, status_changed_at__lt=now - limit)
        for fax in waiting_too_long.select_related("team")[:500]:
            if not Fax.objects.filter(pk=fax.pk, is_stuck=False).update(is_stuck=True):
                continue
            params = {
                "id": fax.pk,
                "number": fax.remote_number,
                "status": fax.status,
                "since": fax.status_changed_at.isoformat(),
            }
            add_event(fax, "stuck", "", key="stuck", params=params)
            fax_stuck_notify(fax=fax)
            log.warning("fax stuck: %s", render("stuck", params))
            flagged += 1
    return flagged
