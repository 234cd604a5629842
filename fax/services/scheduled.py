"""A fax scheduled for later: held in the portal ("scheduled") until it is due; its time moved or cancelled until then.

The same rule as an SMS batch's (``core.held_sends``). The worker's release (``fax_scheduled_release``,
beat every 30 s) is the claim: one conditional UPDATE scheduled → queued per fax, so two workers or a
late beat release a fax once; the winner queues its send after the commit. From there the send is the
ordinary one: its own claim (queued → sending) sends it once, and a fax released but never sent (a
restart in between) is queued again by the send watchdog (``watchdog.stale_queued``). The provider's
schedule field (``sending``) keeps it for the last minutes. Moving the time is the same conditional
UPDATE the other way, so it is refused once the worker has claimed the fax; cancelling a held fax
goes through ``actions.fax_cancel``, as a queued one's does.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from core.held_sends import is_held, release_horizon

from ..models import Direction, Fax, Status
from . import FaxActionError, sending
from .status import add_event

log = logging.getLogger(__name__)


def already_claimed() -> str:
    return _(
        "This fax has already been handed to the provider (or is being handed over right now), so its time can "
        "no longer be changed here."
    )


def fax_scheduled_release(*, now: datetime | None = None) -> int:
    """Queues every held fax now due within the hold threshold, each exactly once."""
    now = now or timezone.now()
    due = Fax.objects.filter(
        direction=Direction.OUTGOING, status=Status.SCHEDULED, scheduled_at__lte=release_horizon(now)
    )
    released = 0
    for fax in list(due.order_by("scheduled_at")[:500]):
        with transaction.atomic():
            # The claim: the WHERE is checked again on the row as it is now (its time may have moved).
            if due.filter(pk=fax.pk).update(status=Status.QUEUED, status_changed_at=now):
                add_event(fax, "queued", Status.QUEUED, key="released")
                sending.queue_sends([fax.pk])
                released += 1
    if released:
        log.info("%s scheduled faxes handed to the send queue", released)
    return released


def fax_scheduled_move(
    *,
    fax: Fax,
    actor: User,
    scheduled_at: datetime,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Fax:
    """Moves a held fax's time; a time within the hold threshold sends it now (as a new fax would be)."""
    now = now or timezone.now()
    if scheduled_at <= now:
        raise FaxActionError(_("Choose a time in the future."))
    status = Status.SCHEDULED if is_held(scheduled_at, now) else Status.QUEUED
    with transaction.atomic():
        if not Fax.objects.filter(pk=fax.pk, status=Status.SCHEDULED).update(
            scheduled_at=scheduled_at, status=status, status_changed_at=now
        ):
            raise FaxActionError(already_claimed())
        audit_record(
            team=fax.team,
            actor=actor,
            action="fax.schedule_edit",
            target=fax,
            request=request,
            scheduled_before=fax.scheduled_at.isoformat() if fax.scheduled_at else None,
            scheduled=scheduled_at.isoformat(),
        )
        add_event(fax, "scheduled", status, key="moved", actor=actor)
        if status == Status.QUEUED:
            sending.queue_sends([fax.pk])
    fax.refresh_from_db()
    return fax
