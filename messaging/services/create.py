"""Creating a batch: the batch, its chunks and every recipient are stored before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import ProviderAccount, Team, User

from ..models import SmsBatch, SmsChunk, SmsRecipient
from ..recipients import Recipient, render
from . import send_queue
from .errors import SmsError
from .limits import operator_reserve, sms_chunk_size, sms_max_parts, sms_schedule_limit, too_far_ahead, too_many_parts
from .plan import Plan, sms_plan
from .scheduled import initial_state

INSERT_BATCH = 2000


@dataclass(frozen=True, kw_only=True)
class BatchRequest:
    """What a person asked to send: the text, to whom, from which account and sender id, and when."""

    team: Team
    account: ProviderAccount
    actor: User | None
    sender: str
    text: str
    recipients: list[Recipient]
    scheduled_at: datetime | None = None
    period: int | None = None  # validity in minutes
    flash: bool = False
    duplicates: int = 0  # left out as the same number twice
    opt_outs: int = 0  # left out as opted out
    part_price: Decimal | None = None  # for the estimated cost
    currency: str = ""
    resend_of: SmsBatch | None = None
    submission_key: str = ""  # the compose form's one-time key
    plan: Plan | None = None  # what the form already counted for this text, these recipients and account


def sms_batch_create(new: BatchRequest, *, request: HttpRequest | None = None) -> SmsBatch:
    """Stores the batch, its chunks and every recipient, then queues the send (after commit).

    The same ``submission_key`` twice (a double click, a re-posted form) returns the first batch.
    """
    key = new.submission_key
    if key:
        existing = new.team.sms_batches.filter(submission_key=key).first()
        if existing is not None:
            return existing
    try:
        return _store(new, request)
    except IntegrityError:
        if not key:
            raise
        return new.team.sms_batches.get(submission_key=key)  # the other click won the race


@transaction.atomic
def _store(new: BatchRequest, request: HttpRequest | None) -> SmsBatch:
    account, recipients, text = new.account, new.recipients, new.text
    if not recipients:
        raise SmsError(_("There is no recipient to send to."))
    plan = new.plan or sms_plan(text=text, recipients=recipients, reserve=operator_reserve(account), flash=new.flash)
    if plan.parts > sms_max_parts(account):
        raise SmsError(too_many_parts(parts=plan.parts, limit=sms_max_parts(account)))
    if plan.parts == 0:
        raise SmsError(_("Write the text of the message."))
    if new.scheduled_at is not None and new.scheduled_at > sms_schedule_limit():
        raise SmsError(too_far_ahead())
    actor = new.actor if new.actor and new.actor.is_authenticated else None
    state = initial_state(new.scheduled_at, timezone.now())
    batch = SmsBatch.objects.create(
        state=state,
        team=new.team,
        account=account,
        created_by=actor,
        created_by_email=actor.email if actor else "",
        sender=new.sender,
        text=text,
        personalised=plan.personalised,
        alphabet=plan.alphabet,
        flash=new.flash,
        scheduled_at=new.scheduled_at,
        period=new.period,
        recipient_count=len(recipients),
        parts=plan.parts,
        estimated_cost=(new.part_price * plan.total_parts) if new.part_price is not None else None,
        currency=new.currency[:3] if new.part_price is not None else "",
        skipped_duplicates=new.duplicates,
        skipped_opt_outs=new.opt_outs,
        resend_of=new.resend_of,
        submission_key=new.submission_key,
    )
    size = sms_chunk_size(account)
    # Turkish numbers and numbers abroad go in separate submits: ``universal`` is per request.
    home = [r for r in recipients if not r.number.abroad]
    abroad = [r for r in recipients if r.number.abroad]
    chunks: list[tuple[SmsChunk, list[Recipient]]] = []
    for universal, group in ((False, home), (True, abroad)):
        for start in range(0, len(group), size):
            part = group[start : start + size]
            chunks.append((SmsChunk(batch=batch, index=len(chunks), universal=universal, size=len(part)), part))
    SmsChunk.objects.bulk_create([c for c, _part in chunks])
    rows = (
        SmsRecipient(
            batch=batch,
            chunk=chunk,
            phone=r.number.e164,
            name=r.name[:150],
            text=render(text, r.values) if plan.personalised else "",
            source_row=r.source_row or None,
        )
        for chunk, part in chunks
        for r in part
    )
    _bulk_insert(rows)
    audit_record(
        team=new.team,
        actor=new.actor,
        action="sms.send",
        target=batch,
        request=request,
        account=account.label,
        sender=new.sender,
        recipients=len(recipients),
        chunks=len(chunks),
        scheduled=new.scheduled_at.isoformat() if new.scheduled_at else None,
        resend_of=new.resend_of.pk if new.resend_of else None,
        held=state == SmsBatch.State.SCHEDULED,
    )
    if state == SmsBatch.State.SENDING:  # a held batch is queued by the worker's release when it is due
        send_queue.sms_batch_queue(batch.pk)
    return batch


def _bulk_insert(rows: Iterable[SmsRecipient]) -> None:
    buffer: list[SmsRecipient] = []
    for row in rows:
        buffer.append(row)
        if len(buffer) >= INSERT_BATCH:
            SmsRecipient.objects.bulk_create(buffer)
            buffer = []
    if buffer:
        SmsRecipient.objects.bulk_create(buffer)
