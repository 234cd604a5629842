"""What a person does to a batch: pause, resume, cancel, retry the failed chunks, resend to the undelivered."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User

from ..models import SmsBatch, SmsChunk, SmsRecipient
from ..numbers import Number
from ..recipients import Recipient
from . import send_queue
from .create import BatchRequest, sms_batch_create
from .errors import SmsError
from .outcomes import chunks_requeue


def sms_batch_pause(*, batch: SmsBatch, actor: User, request: HttpRequest | None = None) -> None:
    if not SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SENDING).update(state=SmsBatch.State.PAUSED):
        raise SmsError(_("Only a batch that is sending can be paused."))
    audit_record(team=batch.team, actor=actor, action="sms.pause", target=batch, request=request)


def sms_batch_resume(*, batch: SmsBatch, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        if not SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.PAUSED).update(
            state=SmsBatch.State.SENDING, progress_at=timezone.now()
        ):
            raise SmsError(_("Only a paused batch can be resumed."))
        audit_record(team=batch.team, actor=actor, action="sms.resume", target=batch, request=request)
        send_queue.sms_batch_queue(batch.pk)


@transaction.atomic
def sms_batch_cancel(*, batch: SmsBatch, actor: User, request: HttpRequest | None = None) -> int:
    """Stops every chunk not yet submitted; a chunk being submitted right now finishes on its own."""
    if not SmsBatch.objects.filter(pk=batch.pk, state__in=(SmsBatch.State.SENDING, SmsBatch.State.PAUSED)).update(
        state=SmsBatch.State.CANCELLED
    ):
        raise SmsError(_("This batch is no longer sending."))
    stopped = batch.chunks.filter(state__in=(SmsChunk.State.QUEUED, SmsChunk.State.FAILED))
    ids = list(stopped.values_list("pk", flat=True))
    stopped.update(state=SmsChunk.State.CANCELLED)
    SmsRecipient.objects.filter(chunk_id__in=ids).update(state=SmsRecipient.State.CANCELLED)
    audit_record(team=batch.team, actor=actor, action="sms.cancel", target=batch, request=request, chunks=len(ids))
    return len(ids)


@transaction.atomic
def sms_batch_retry_failed(*, batch: SmsBatch, actor: User, request: HttpRequest | None = None) -> int:
    """Failed chunks (the provider certainly did not take them) go back in the queue."""
    if batch.state == SmsBatch.State.CANCELLED:
        raise SmsError(_("A cancelled batch cannot be retried."))
    ids = list(batch.chunks.filter(state=SmsChunk.State.FAILED).values_list("pk", flat=True))
    if not ids:
        raise SmsError(_("No chunk has failed."))
    count = chunks_requeue(ids)
    SmsBatch.objects.filter(pk=batch.pk).exclude(state=SmsBatch.State.PAUSED).update(
        state=SmsBatch.State.SENDING, progress_at=timezone.now()
    )
    audit_record(team=batch.team, actor=actor, action="sms.retry", target=batch, request=request, chunks=count)
    send_queue.sms_batch_queue(batch.pk)
    return count


def sms_batch_resend_undelivered(*, batch: SmsBatch, actor: User, request: HttpRequest | None = None) -> SmsBatch:
    rows = list(batch.recipients.filter(state=SmsRecipient.State.UNDELIVERED).values_list("phone", "name", "text"))
    if not rows:
        raise SmsError(_("No recipient is undelivered."))
    opted_out = set(batch.team.sms_opt_outs.values_list("phone", flat=True))
    recipients = [Recipient(Number(phone), name) for phone, name, _ in rows if phone not in opted_out]
    if batch.personalised:
        texts = {phone: text for phone, _, text in rows}
        # Each keeps the exact text it was meant to get.
        recipients = [Recipient(r.number, r.name, {"__text": texts[r.number.e164]}) for r in recipients]
        text = "{__text}"
    else:
        text = batch.text
    new = sms_batch_create(
        BatchRequest(
            team=batch.team,
            account=batch.account,
            actor=actor,
            sender=batch.sender,
            text=text,
            recipients=recipients,
            period=batch.period,
            flash=batch.flash,
            opt_outs=len(rows) - len(recipients),
            currency=batch.currency,
            resend_of=batch,
        ),
        request=request,
    )
    if batch.personalised:  # the page shows the template the texts came from, not the stand-in
        SmsBatch.objects.filter(pk=new.pk).update(text=batch.text)
        new.text = batch.text
    return new
