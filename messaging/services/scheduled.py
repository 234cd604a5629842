"""A batch scheduled for later: held in the portal ("scheduled") until it is due, changed or cancelled until then.

The worker's release (``sms_scheduled_release``, beat every 30 s) is the claim: one conditional
UPDATE scheduled → sending per batch, so two workers or a late beat release a batch once; the
winner queues the send after its commit. A restart between the claim and the queue leaves a
sending batch with no progress, which the send watchdog queues again (``send_queue``); the chunk
claims of ``send`` keep any second send task from submitting a chunk twice, and a chunk is only
ever claimed while its batch is sending, so a held batch never reaches the provider.

An edit or a cancel is the same conditional UPDATE the other way (only while the batch is still
scheduled), so once the worker has claimed a batch they are refused, and nothing half-changed goes out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from core.held_sends import is_held, release_horizon

from .. import encoding
from ..models import SmsBatch, SmsChunk, SmsRecipient
from ..recipients import placeholders
from . import send_queue
from .errors import SmsError
from .limits import operator_reserve, sms_max_parts, sms_schedule_limit, too_far_ahead, too_many_parts
from .plan import Plan, sms_plan

log = logging.getLogger(__name__)


def already_claimed() -> str:
    return _(
        "This send has already been handed to the provider (or is being handed over right now), so it can no "
        "longer be changed or cancelled here. If it is still sending, you can pause it or cancel the rest."
    )


def initial_state(scheduled_at: datetime | None, now: datetime) -> str:
    """A new batch due later than the hold threshold waits in the portal; any other is sent at once."""
    return SmsBatch.State.SCHEDULED if is_held(scheduled_at, now) else SmsBatch.State.SENDING


def sms_scheduled_release(*, now: datetime | None = None) -> int:
    """Hands every held batch now due within the hold threshold to the send queue, each exactly once."""
    now = now or timezone.now()
    horizon = release_horizon(now)
    due = SmsBatch.objects.filter(state=SmsBatch.State.SCHEDULED, scheduled_at__lte=horizon)
    released = 0
    for pk in list(due.order_by("scheduled_at").values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            # The claim: the WHERE is checked again on the row as it is now (an edit may have moved the time).
            if due.filter(pk=pk).update(state=SmsBatch.State.SENDING, progress_at=now):
                send_queue.sms_batch_queue(pk)
                released += 1
    if released:
        log.info("%s scheduled SMS batches handed to the send queue", released)
    return released


@dataclass(frozen=True)
class TextChange:
    """What a new text costs: worked out before the edit is shown for review, and again when it is saved."""

    plan: Plan
    total_parts: int
    estimated_cost: Decimal | None


def text_change(*, batch: SmsBatch, text: str, part_price: Decimal | None) -> TextChange:
    """The new text's alphabet, parts and cost for the batch's recipients; SmsError when it cannot be used."""
    if not text.strip():
        raise SmsError(_("Write the text of the message."))
    if batch.personalised or placeholders(text):
        # Each recipient's text was written from the values of its file or group row, which are not kept.
        raise SmsError(_("The text of a personalised send cannot be changed: cancel it and compose it again."))
    if batch.flash and not encoding.fits(text, encoding.DEFAULT):
        raise SmsError(_("A flash SMS carries only GSM characters; replace the highlighted ones."))
    plan = sms_plan(text=text, recipients=[], reserve=operator_reserve(batch.account), flash=batch.flash)
    limit = sms_max_parts(batch.account)
    if plan.parts > limit:
        raise SmsError(too_many_parts(parts=plan.parts, limit=limit))
    total = plan.parts * batch.recipient_count
    return TextChange(plan=plan, total_parts=total, estimated_cost=part_price * total if part_price else None)


def sms_scheduled_edit(
    *,
    batch: SmsBatch,
    actor: User,
    text: str,
    scheduled_at: datetime,
    part_price: Decimal | None = None,
    currency: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> SmsBatch:
    """Changes a held batch's text and time. A time within the hold threshold sends it now (as a new send would)."""
    now = now or timezone.now()
    if scheduled_at <= now:
        raise SmsError(_("The time to send is in the past."))
    if scheduled_at > sms_schedule_limit():
        raise SmsError(too_far_ahead())
    fields: dict[str, object] = {"scheduled_at": scheduled_at, "state": initial_state(scheduled_at, now)}
    text_changed = text != batch.text
    if text_changed:
        change = text_change(batch=batch, text=text, part_price=part_price)
        fields.update(text=text, alphabet=change.plan.alphabet, parts=change.plan.parts)
        if change.estimated_cost is not None:
            fields.update(estimated_cost=change.estimated_cost, currency=currency[:3])
        elif batch.estimated_cost is not None and batch.parts:  # the price is not known now: the old one, per part
            fields["estimated_cost"] = batch.estimated_cost / batch.parts * change.plan.parts
    with transaction.atomic():
        fields["progress_at"] = now
        if not SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SCHEDULED).update(**fields):
            raise SmsError(already_claimed())
        audit_record(
            team=batch.team,
            actor=actor,
            action="sms.schedule_edit",
            target=batch,
            request=request,
            scheduled_before=batch.scheduled_at.isoformat() if batch.scheduled_at else None,
            scheduled=scheduled_at.isoformat(),
            text_changed=text_changed,
        )
        if fields["state"] == SmsBatch.State.SENDING:
            send_queue.sms_batch_queue(batch.pk)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def sms_scheduled_cancel(*, batch: SmsBatch, actor: User, request: HttpRequest | None = None) -> int:
    """Cancels a held batch: nothing of it is sent. Returns how many recipients it had."""
    if not SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SCHEDULED).update(state=SmsBatch.State.CANCELLED):
        raise SmsError(already_claimed())
    batch.chunks.filter(state=SmsChunk.State.QUEUED).update(state=SmsChunk.State.CANCELLED)
    count = batch.recipients.update(state=SmsRecipient.State.CANCELLED)
    audit_record(
        team=batch.team,
        actor=actor,
        action="sms.schedule_cancel",
        target=batch,
        request=request,
        scheduled=batch.scheduled_at.isoformat() if batch.scheduled_at else None,
        recipients=count,
    )
    return count
