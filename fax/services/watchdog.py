"""Sends that stopped (a lost task, a worker that died on the wire), previews that never came, and faxes stuck in
one state too long."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..documents import DocumentError
from ..models import Direction, Fax, FaxDraft, Status
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


# Past render_draft's hard time limit (150 s): by then its task has ended or was lost with its worker.
RENDER_STALL = timedelta(seconds=180)
RENDER_WATCHED = timedelta(days=1)
RENDER_REQUEUES = 2  # then the preview says the document could not be prepared (a file that kills its worker)


def drafts_render_stalled(now: datetime | None = None) -> list[int]:
    """Drafts waiting for a preview that is not coming: each is returned (to queue its render again) at most
    RENDER_REQUEUES times, one RENDER_STALL apart; after that its preview shows "could not be prepared", so the
    person who waits on it is told, never left with a spinner."""
    now = now or timezone.now()
    waiting = FaxDraft.objects.annotate(queued=Coalesce("render_requeued_at", "created_at")).filter(
        rendered_at__isnull=True,
        confirmed_at__isnull=True,
        queued__lte=now - RENDER_STALL,
        created_at__gte=now - RENDER_WATCHED,  # nobody waits on an older one (nor on drafts from before this)
    )
    again = []
    for pk, requeues in waiting.values_list("pk", "render_requeues")[:200]:
        unrendered = FaxDraft.objects.filter(pk=pk, rendered_at__isnull=True, render_requeues=requeues)
        if requeues >= RENDER_REQUEUES:
            unrendered.update(rendered_at=now, render_error_stored=DocumentError("not_prepared").text)
            log.warning("fax draft %s: no preview after %s renders, given up", pk, requeues + 1)
        elif unrendered.update(render_requeues=requeues + 1, render_requeued_at=now):
            again.append(pk)
    return again


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
