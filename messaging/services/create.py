"""Creating a batch: the batch, its chunks and every recipient are stored before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import ProviderAccount, Team, User

from ..models import SmsBatch
from ..recipients import Recipient
from . import send_queue, store
from .errors import SmsError
from .limits import operator_reserve, sms_chunk_size, sms_max_parts, sms_schedule_limit, too_far_ahead, too_many_parts
from .plan import Plan, sms_plan
from .scheduled import initial_state


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
    store_later: bool = False  # the recipients written by a background task (``store``): a file's many rows


def sms_batch_create(new: BatchRequest, *, request: HttpRequest | None = None) -> SmsBatch:
    """Stores the batch, its chunks and every recipient, then queues the send (after commit).

    With ``store_later`` the batch is stored ``storing`` with its recipients kept for the task that
    writes them (``store.sms_batch_store``), which makes it sendable once every one is in.

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
    due_state = initial_state(new.scheduled_at, timezone.now())
    state = SmsBatch.State.STORING if new.store_later else due_state
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
        stored_count=0 if new.store_later else len(recipients),
        parts=plan.parts,
        estimated_cost=(new.part_price * plan.total_parts) if new.part_price is not None else None,
        currency=new.currency[:3] if new.part_price is not None else "",
        skipped_duplicates=new.duplicates,
        skipped_opt_outs=new.opt_outs,
        resend_of=new.resend_of,
        submission_key=new.submission_key,
    )
    rows = store.rows_of(recipients, text=text, personalised=plan.personalised)
    chunks = store.chunks_of(rows, sms_chunk_size(account))
    if new.store_later:
        store.keep(batch, rows)
        send_queue.sms_batch_store_queue(batch.pk)
    else:
        store.write_chunks(batch, chunks)
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
        held=due_state == SmsBatch.State.SCHEDULED,
    )
    if state == SmsBatch.State.SENDING:  # a held batch is queued by the worker's release when it is due
        send_queue.sms_batch_queue(batch.pk)
    return batch
