"""SMS services: the only code that writes SMS state and talks to the provider.

A batch and every recipient are stored before anything is sent. Chunks are
claimed atomically (queued → submitting) so a double click, a retried task or a
restarted worker never submits one twice. A chunk whose request may have
reached the provider (timeout, 5xx, an unreadable answer) becomes *unknown*
and is reconciled from the provider's reports, never resubmitted blindly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.models import ProviderAccount, Team, User
from accounts.provider_clients import client_for
from accounts.provider_errors import AccountUnusable, describe_stored
from accounts.stored_text import StoredText, stored
from core.db import pause_after_error, reconnect, with_retries
from providers.errors import ProviderError, ProviderUnavailable, RateLimited, UnexpectedResponse

from . import balance, encoding
from .models import OptOut, SmsBatch, SmsChunk, SmsRecipient
from .numbers import Number, msisdn_key, parse_number
from .recipients import Recipient, placeholders, render

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 500
DEFAULT_MAX_PARTS = 10
# How long a chunk may sit in "submitting" or "unknown" before the reports are
# believed when they do not show it: the provider lists a submit at once, a
# worker that died mid-request leaves "submitting" behind.
DEFAULT_RECONCILE_GRACE = 120
AUTO_RETRY_DELAYS = (10, 60, 300)  # seconds, for chunks the provider certainly refused (429, 5xx before it acted)
# A send that hits this many database errors in a row stops; the watchdog resumes it once the database is back.
DB_ERRORS_IN_A_ROW = 5
DEFAULT_STALL_SECONDS = 60
REPORT_STATES = {"delivered": SmsRecipient.State.DELIVERED, "waiting": SmsRecipient.State.WAITING}
INSERT_BATCH = 2000


class SmsError(Exception):
    """A user-safe reason a batch action cannot be done."""


# --- account options ----------------------------------------------------------


def account_int(account: ProviderAccount, name: str, default: int) -> int:
    try:
        return int(str((account.options or {}).get(name) or default).strip())
    except (TypeError, ValueError):
        return default


def operator_reserve(account: ProviderAccount) -> int:
    return min(20, max(0, account_int(account, "sms_operator_reserve", 0)))


def sms_max_parts(account: ProviderAccount) -> int:
    """The most SMS parts one recipient's text may cost on this account (option ``sms_max_parts``)."""
    return min(255, max(1, account_int(account, "sms_max_parts", DEFAULT_MAX_PARTS)))


def sms_confirm_parts() -> int:
    """Above this many parts per recipient the sender confirms first."""
    return max(1, int(getattr(settings, "SMS_CONFIRM_PARTS", 4)))


def sms_schedule_limit() -> datetime:
    """The latest time a send may be scheduled for."""
    return timezone.now() + timedelta(days=int(getattr(settings, "SMS_SCHEDULE_MAX_DAYS", 365)))


def too_many_parts(*, parts: int, limit: int) -> str:
    return ngettext(
        "This text needs %(parts)d SMS per recipient; the account allows at most %(limit)d. Shorten it.",
        "This text needs %(parts)d SMS per recipient; the account allows at most %(limit)d. Shorten it.",
        parts,
    ) % {"parts": parts, "limit": limit}


def too_far_ahead() -> str:
    days = int(getattr(settings, "SMS_SCHEDULE_MAX_DAYS", 365))
    return ngettext(
        "A send can be scheduled at most %(days)d day ahead.",
        "A send can be scheduled at most %(days)d days ahead.",
        days,
    ) % {"days": days}


def sender_ids(account: ProviderAccount) -> list[str]:
    return [s for s in (account.options or {}).get("sender_ids") or [] if s]


def pasifik_sms_accounts(team: Team) -> Any:
    return team.provider_accounts.filter(kind="pasifik").order_by("label")


# The balance is read from a short cache (balance.py): a page never waits on the provider.
Balance = balance.Balance
account_balance = balance.account_balance


# --- creating a batch -----------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    alphabet: str
    parts: int  # the most any recipient's text costs
    total_parts: int
    personalised: bool


def sms_plan(*, text: str, recipients: list[Recipient], reserve: int, flash: bool) -> Plan:
    """The alphabet that carries every recipient's text, and the parts it costs."""
    personalised = bool(placeholders(text))
    texts = [render(text, r.values) for r in recipients] if personalised else [text]
    alphabet = encoding.DEFAULT
    for name in encoding.ALPHABETS:
        if all(encoding.fits(t, name) for t in texts):
            alphabet = name
            break
    per_text = [encoding.segments(t, reserve=reserve, alphabet=alphabet).parts for t in texts]
    total = sum(per_text) if personalised else per_text[0] * len(recipients)
    return Plan(
        alphabet=encoding.FLASH if flash else alphabet,
        parts=max(per_text) if per_text else 0,
        total_parts=total,
        personalised=personalised,
    )


def sms_batch_create(
    *,
    team: Team,
    account: ProviderAccount,
    actor: User | None,
    sender: str,
    text: str,
    recipients: list[Recipient],
    scheduled_at: datetime | None = None,
    period: int | None = None,
    flash: bool = False,
    duplicates: int = 0,
    opt_outs: int = 0,
    part_price: Decimal | None = None,
    currency: str = "",
    resend_of: SmsBatch | None = None,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> SmsBatch:
    """Stores the batch, its chunks and every recipient, then queues the send (after commit).

    The same ``submission_key`` twice (a double click, a re-posted form) returns the first batch.
    """
    if submission_key:
        existing = team.sms_batches.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    try:
        return _batch_create(
            team=team,
            account=account,
            actor=actor,
            sender=sender,
            text=text,
            recipients=recipients,
            scheduled_at=scheduled_at,
            period=period,
            flash=flash,
            duplicates=duplicates,
            opt_outs=opt_outs,
            part_price=part_price,
            currency=currency,
            resend_of=resend_of,
            submission_key=submission_key,
            request=request,
        )
    except IntegrityError:
        if not submission_key:
            raise
        return team.sms_batches.get(submission_key=submission_key)  # the other click won the race


@transaction.atomic
def _batch_create(
    *,
    team: Team,
    account: ProviderAccount,
    actor: User | None,
    sender: str,
    text: str,
    recipients: list[Recipient],
    scheduled_at: datetime | None,
    period: int | None,
    flash: bool,
    duplicates: int,
    opt_outs: int,
    part_price: Decimal | None,
    currency: str,
    resend_of: SmsBatch | None,
    submission_key: str,
    request: HttpRequest | None,
) -> SmsBatch:
    if not recipients:
        raise SmsError(_("There is no recipient to send to."))
    plan = sms_plan(text=text, recipients=recipients, reserve=operator_reserve(account), flash=flash)
    if plan.parts > sms_max_parts(account):
        raise SmsError(too_many_parts(parts=plan.parts, limit=sms_max_parts(account)))
    if plan.parts == 0:
        raise SmsError(_("Write the text of the message."))
    if scheduled_at is not None and scheduled_at > sms_schedule_limit():
        raise SmsError(too_far_ahead())
    batch = SmsBatch.objects.create(
        team=team,
        account=account,
        created_by=actor if actor and actor.is_authenticated else None,
        created_by_email=actor.email if actor and actor.is_authenticated else "",
        sender=sender,
        text=text,
        personalised=plan.personalised,
        alphabet=plan.alphabet,
        flash=flash,
        scheduled_at=scheduled_at,
        period=period,
        recipient_count=len(recipients),
        parts=plan.parts,
        estimated_cost=(part_price * plan.total_parts) if part_price is not None else None,
        currency=currency[:3] if part_price is not None else "",
        skipped_duplicates=duplicates,
        skipped_opt_outs=opt_outs,
        resend_of=resend_of,
        submission_key=submission_key,
    )
    size = min(5000, max(1, account_int(account, "sms_chunk_size", DEFAULT_CHUNK_SIZE)))
    # Turkish numbers and numbers abroad go in separate submits: ``universal`` is per request.
    home = [r for r in recipients if not r.number.abroad]
    abroad = [r for r in recipients if r.number.abroad]
    chunks: list[tuple[SmsChunk, list[Recipient]]] = []
    for universal, group in ((False, home), (True, abroad)):
        for start in range(0, len(group), size):
            part = group[start : start + size]
            chunks.append((SmsChunk(batch=batch, index=len(chunks), universal=universal, size=len(part)), part))
    SmsChunk.objects.bulk_create([c for c, _ in chunks])
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
        team=team,
        actor=actor,
        action="sms.send",
        target=batch,
        request=request,
        account=account.label,
        sender=sender,
        recipients=len(recipients),
        chunks=len(chunks),
        scheduled=scheduled_at.isoformat() if scheduled_at else None,
        resend_of=resend_of.pk if resend_of else None,
    )
    _queue_send(batch.pk)
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


def _queue_send(batch_id: int, countdown: int | None = None) -> None:
    from .tasks import sms_batch_send_task

    def stalled() -> None:  # the batch is stored: from now on its page says so and the next watchdog round resumes it
        if not countdown:
            SmsBatch.objects.filter(pk=batch_id, state=SmsBatch.State.SENDING).update(
                progress_at=timezone.now() - _stall() - timedelta(seconds=1)
            )

    sms_batch_send_task.apply_async_on_commit((batch_id,), countdown=countdown or None, on_queue_error=stalled)


# --- sending -------------------------------------------------------------------------


def sms_batch_send(*, batch_id: int) -> str:
    """Submits every queued chunk of a running batch, one claim at a time."""
    batch = SmsBatch.objects.select_related("account").get(pk=batch_id)
    if batch.state != SmsBatch.State.SENDING:
        return f"skipped: {batch.state}"
    stack = ExitStack()
    try:
        client = stack.enter_context(client_for(batch.account))
    except ValueError as exc:  # credentials missing or unusable: nothing can go out, and the person should know why
        reason = stored("sms.account_incomplete", reason=exc.text if isinstance(exc, AccountUnusable) else str(exc))
        for chunk in batch.chunks.filter(state=SmsChunk.State.QUEUED):
            if SmsChunk.objects.filter(pk=chunk.pk, state=SmsChunk.State.QUEUED).update(
                state=SmsChunk.State.SUBMITTING
            ):
                _chunk_finish(chunk, SmsChunk.State.FAILED, error=reason)
        return "failed: account incomplete"
    with stack:
        try:
            sent = _submit_queued(batch, client)
        except SoftTimeLimitExceeded:
            # Out of time, not out of work: a fresh task carries on where this one stopped.
            _queue_send(batch.pk)
            return "time limit reached; the send goes on in a new task"
        sms_batch_reconcile(batch=batch, client=client)
    retry_in = _schedule_auto_retry(batch)
    state = _batch_refresh_state(batch)
    return f"submitted {sent}; {state}" + (f"; retry in {retry_in}s" if retry_in else "")


def _submit_queued(batch: SmsBatch, client: Any) -> int:
    """Submits the queued chunks, one claim at a time. Returns how many went out.

    A database error (a dropped connection, a restart) costs the chunk at hand
    a place at the back of the line, not the batch: the send reconnects and goes
    on, and a chunk it could not claim is tried again in a later pass.
    """
    sent = errors_in_a_row = 0
    for _pass in range(3):
        had_errors = False
        try:
            queued = list(
                batch.chunks.filter(state=SmsChunk.State.QUEUED).order_by("index").values_list("pk", flat=True)
            )
        except DatabaseError:
            queued, had_errors, errors_in_a_row = [], True, errors_in_a_row + 1
            if not _go_on_after_database_error(batch, errors_in_a_row):
                raise
        for chunk_id in queued:
            try:
                if sms_chunk_submit(chunk_id=chunk_id, client=client):
                    sent += 1
                errors_in_a_row = 0
            except DatabaseError:
                had_errors, errors_in_a_row = True, errors_in_a_row + 1
                if not _go_on_after_database_error(batch, errors_in_a_row):
                    raise
        if not had_errors:
            break
    return sent


def _go_on_after_database_error(batch: SmsBatch, errors_in_a_row: int) -> bool:
    """False when the database seems down: the send stops and the watchdog resumes it later."""
    log.warning("SMS batch %s: database error during the send (%s in a row)", batch.pk, errors_in_a_row)
    if errors_in_a_row >= DB_ERRORS_IN_A_ROW:
        return False
    reconnect()
    pause_after_error(errors_in_a_row)
    return True


def sms_chunk_submit(*, chunk_id: int, client: Any) -> bool:
    """Sends one chunk if, and only if, this call wins its claim. True when it went out."""
    now = timezone.now()
    claimed = SmsChunk.objects.filter(
        pk=chunk_id, state=SmsChunk.State.QUEUED, batch__state=SmsBatch.State.SENDING
    ).update(state=SmsChunk.State.SUBMITTING, attempts=F("attempts") + 1, attempted_at=now, error="", error_stored={})
    if claimed != 1:
        return False
    try:
        chunk = SmsChunk.objects.select_related("batch").get(pk=chunk_id)
        batch = chunk.batch
        recipients = list(chunk.recipients.values_list("phone", "text"))
        SmsBatch.objects.filter(pk=batch.pk).update(progress_at=now)
    except (DatabaseError, SoftTimeLimitExceeded):
        _unclaim(chunk_id)  # nothing has gone to the provider yet
        raise
    options: dict[str, Any] = {
        "sender": batch.sender,
        "universal": True if chunk.universal else None,
        "alphabet": batch.alphabet,
        "period": batch.period,
    }
    if batch.scheduled_at and batch.scheduled_at > now:
        options["scheduled_delivery_time"] = batch.scheduled_at
    started = time.monotonic()
    try:
        if batch.personalised:
            result = client.sms_submit_multi(
                envelopes=[(Number(phone).provider_form, text) for phone, text in recipients], **options
            )
        else:
            result = client.sms_submit(
                to=[Number(phone).provider_form for phone, _ in recipients], text=batch.text, **options
            )
    except ProviderError as exc:
        outcome_unknown = isinstance(exc, UnexpectedResponse) or (
            isinstance(exc, ProviderUnavailable) and exc.request_sent
        )
        state = SmsChunk.State.UNKNOWN if outcome_unknown else SmsChunk.State.FAILED
        error, retryable = describe_stored(exc), _transient(exc)
        with_retries(lambda: _chunk_finish(chunk, state, error=error, started=started, retryable=retryable))
        return False
    except SoftTimeLimitExceeded:
        # Cut off on the wire: the provider may have it, so its reports settle it.
        message = stored("sms.time_limit")
        with_retries(lambda: _chunk_finish(chunk, SmsChunk.State.UNKNOWN, error=message, started=started))
        raise
    # What the provider said is known here: a lost connection must not make it unknown.
    with_retries(lambda: _chunk_finish(chunk, SmsChunk.State.SUBMITTED, sms_id=result.id, started=started))
    return True


def _unclaim(chunk_id: int) -> None:
    """A claimed chunk that never reached the provider goes back in the queue, the attempt not counted."""
    try:
        reconnect()
        SmsChunk.objects.filter(pk=chunk_id, state=SmsChunk.State.SUBMITTING).update(
            state=SmsChunk.State.QUEUED, attempts=F("attempts") - 1
        )
    except DatabaseError:  # it stays "submitting": the watchdog hands it to the reports, which find nothing
        log.warning("SMS chunk %s: could not be put back in the queue", chunk_id)


def _transient(exc: ProviderError) -> bool:
    return isinstance(exc, RateLimited | ProviderUnavailable)


@transaction.atomic
def _chunk_finish(
    chunk: SmsChunk,
    state: str,
    *,
    sms_id: int | None = None,
    error: StoredText | str = "",
    started: float | None = None,
    retryable: bool = False,
) -> None:
    # A chunk's error is kept as a key and parameters; its recipients' provider status is the provider's words only.
    fields: dict[str, Any] = {"state": state, "auto_retry": retryable}
    if isinstance(error, str):
        fields.update(error=error, error_stored={})
    else:
        fields.update(error="", error_stored=error)
    if started is not None:
        fields["duration_ms"] = int((time.monotonic() - started) * 1000)
    if state == SmsChunk.State.SUBMITTED:
        fields.update(sms_id=sms_id, submitted_at=timezone.now())
        recipient_state = SmsRecipient.State.WAITING
    elif state == SmsChunk.State.FAILED:
        recipient_state = SmsRecipient.State.FAILED
    else:
        recipient_state = SmsRecipient.State.PENDING
    SmsChunk.objects.filter(pk=chunk.pk).update(**fields)
    chunk.recipients.exclude(state=recipient_state).update(state=recipient_state, status_text="")
    SmsBatch.objects.filter(pk=chunk.batch_id).update(progress_at=timezone.now())


def _schedule_auto_retry(batch: SmsBatch) -> int | None:
    """Chunks the provider turned away for a passing reason go back in the queue, a few times."""
    candidates = batch.chunks.filter(state=SmsChunk.State.FAILED, auto_retry=True)
    attempts = candidates.order_by("attempts").values_list("attempts", flat=True).first()
    if attempts is None or attempts > len(AUTO_RETRY_DELAYS):
        return None
    if not SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SENDING).exists():
        return None
    delay = AUTO_RETRY_DELAYS[attempts - 1]
    with transaction.atomic():
        ids = list(candidates.filter(attempts__lte=len(AUTO_RETRY_DELAYS)).values_list("pk", flat=True))
        _requeue(ids)
        # Waiting for the countdown is not a stall.
        SmsBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() + timedelta(seconds=delay))
        _queue_send(batch.pk, countdown=delay)
    return delay


def _requeue(chunk_ids: list[int]) -> int:
    count = SmsChunk.objects.filter(pk__in=chunk_ids, state=SmsChunk.State.FAILED).update(state=SmsChunk.State.QUEUED)
    SmsRecipient.objects.filter(chunk_id__in=chunk_ids, state=SmsRecipient.State.FAILED).update(
        state=SmsRecipient.State.PENDING, status_text=""
    )
    return count


def _batch_refresh_state(batch: SmsBatch) -> str:
    """Sending → submitted once no chunk is left to send; submitted → completed once every report is final."""
    counts = dict(batch.chunks.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    open_chunks = sum(counts.get(s, 0) for s in ("queued", "submitting", "unknown"))
    batch.refresh_from_db(fields=["state"])
    if batch.state == SmsBatch.State.SENDING and open_chunks == 0:
        SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SENDING).update(state=SmsBatch.State.SUBMITTED)
        batch.state = SmsBatch.State.SUBMITTED
    if batch.state == SmsBatch.State.SUBMITTED:
        waiting = batch.recipients.filter(state__in=(SmsRecipient.State.WAITING, SmsRecipient.State.PENDING)).exists()
        if not waiting:  # failed chunks are final too: the batch finished, with failures
            if SmsBatch.objects.filter(pk=batch.pk, state=SmsBatch.State.SUBMITTED).update(
                state=SmsBatch.State.COMPLETED
            ):
                _batch_finished_notify(batch)
            batch.state = SmsBatch.State.COMPLETED
    return batch.state


def _batch_finished_notify(batch: SmsBatch) -> None:
    """Tells the team, once (the caller won the state change), how a batch ended."""
    from notifications.services import batch_finished_notify

    counts = dict(batch.recipients.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    batch_finished_notify(
        team=batch.team,
        batch_id=batch.pk,
        sender=batch.sender,
        delivered=counts.get(SmsRecipient.State.DELIVERED, 0),
        undelivered=counts.get(SmsRecipient.State.UNDELIVERED, 0),
        failed=counts.get(SmsRecipient.State.FAILED, 0),
    )


# --- reconciling unknown outcomes ---------------------------------------------------------


def _grace() -> timedelta:
    return timedelta(seconds=getattr(settings, "SMS_RECONCILE_GRACE_SECONDS", DEFAULT_RECONCILE_GRACE))


def sms_batch_reconcile(*, batch: SmsBatch, client: Any) -> int:
    """Settles unknown (and stale submitting) chunks from the provider's reports. Returns how many settled.

    A chunk is matched to a report by sender, text, count and the exact set of
    numbers (``sms_query``), among the submits no chunk of ours has claimed yet.
    Not in the reports after the grace period: the provider never took it, so
    it becomes failed and may be retried.
    """
    now = timezone.now()
    stale = now - _grace()
    pending = list(
        batch.chunks.filter(
            Q(state=SmsChunk.State.UNKNOWN) | Q(state=SmsChunk.State.SUBMITTING, attempted_at__lt=stale)
        ).order_by("index")
    )
    if not pending:
        return 0
    earliest = min(c.attempted_at or now for c in pending)
    try:
        reports = client.sms_query_multi(start_date=earliest - timedelta(days=1), end_date=now + timedelta(days=1))
    except ProviderError as exc:
        log.info("SMS batch %s: reports unavailable for reconciling: %s", batch.pk, exc)
        return 0
    known = set(
        SmsChunk.objects.filter(batch__account=batch.account, sms_id__isnull=False).values_list("sms_id", flat=True)
    )
    settled = 0
    for chunk in pending:
        numbers = sorted(msisdn_key(p) for p in chunk.recipients.values_list("phone", flat=True))
        match = None
        for report in reports:
            if report.sms_id in known or report.sender != batch.sender or report.count != len(numbers):
                continue
            if not batch.personalised and report.message != batch.text:
                continue
            try:
                rows = client.sms_query(sms_id=report.sms_id)
            except ProviderError:
                match = False  # cannot tell now: leave it unknown for the next pass
                break
            if sorted(msisdn_key(r.msisdn) for r in rows) == numbers:
                match = report.sms_id
                break
        if match:
            known.add(match)
            _chunk_finish(chunk, SmsChunk.State.SUBMITTED, sms_id=match)
            settled += 1
        elif match is None and (chunk.attempted_at or now) < stale:
            _chunk_finish(
                chunk,
                SmsChunk.State.FAILED,
                error=stored("sms.not_in_reports"),
                retryable=True,
            )
            settled += 1
    return settled


# --- the watchdog: sends that stopped are resumed ---------------------------------------------


def _stall() -> timedelta:
    return timedelta(seconds=getattr(settings, "SEND_STALL_SECONDS", DEFAULT_STALL_SECONDS))


def sms_batch_stalled(batch: SmsBatch) -> bool:
    """A sending batch that has not moved for a while: its send stopped (the watchdog resumes it)."""
    return batch.state == SmsBatch.State.SENDING and batch.progress_at < timezone.now() - _stall()


def sms_send_watchdog() -> str:
    """Resumes the sends that stopped: a worker killed, a database error, a time limit.

    A chunk claimed longer ago than any request takes was cut off on the wire:
    its outcome is unknown, so the provider's reports settle it (never a blind
    resubmit). A sending batch that has not moved for ``SEND_STALL_SECONDS`` gets
    its send queued again, once per that period; the chunk claims make a second
    send task harmless should the first one be alive after all.
    """
    now = timezone.now()
    cutoff = now - _stall()
    cut_off = SmsChunk.objects.filter(state=SmsChunk.State.SUBMITTING, attempted_at__lt=cutoff).update(
        state=SmsChunk.State.UNKNOWN,
        error="",
        error_stored=stored("sms.cut_off"),
    )
    stalled = SmsBatch.objects.filter(state=SmsBatch.State.SENDING, progress_at__lt=cutoff).filter(
        Q(resumed_at__isnull=True) | Q(resumed_at__lt=cutoff)
    )
    resumed = 0
    for pk in list(stalled.values_list("pk", flat=True)[:200]):
        if stalled.filter(pk=pk).update(resumed_at=now):
            log.warning("SMS batch %s made no progress for %s: its send is queued again", pk, _stall())
            _queue_send(pk)
            resumed += 1
    return f"{resumed} batches resumed, {cut_off} chunks cut off left to the reports"


# --- delivery reports -----------------------------------------------------------------


def sms_batch_reports(*, batch: SmsBatch, client: Any | None = None) -> int:
    """Brings every submitted chunk's recipients up to date. Returns how many recipients changed."""
    changed = 0
    own_client = client is None
    client = client or client_for(batch.account)
    try:
        if sms_batch_reconcile(batch=batch, client=client):
            _schedule_auto_retry(batch)
        for chunk in batch.chunks.filter(state=SmsChunk.State.SUBMITTED, reports_final=False, sms_id__isnull=False):
            try:
                summary = client.sms_query_multi_by_id(sms_id=chunk.sms_id)
                done = summary.delivered_count + summary.undelivered_count
                known_done = chunk.recipients.filter(state__in=SmsRecipient.FINAL).count()
                if done == known_done and summary.waiting_count:
                    continue  # nothing new since the last look: skip the detailed report
                rows = client.sms_query(sms_id=chunk.sms_id)
            except ProviderError as exc:
                log.info("SMS chunk %s: report unavailable: %s", chunk.pk, exc)
                continue
            changed += _apply_report(chunk, rows)
            if not chunk.recipients.filter(state=SmsRecipient.State.WAITING).exists():
                SmsChunk.objects.filter(pk=chunk.pk).update(reports_final=True)
    finally:
        if own_client:
            client.close()
    _batch_refresh_state(batch)
    return changed


@transaction.atomic
def _apply_report(chunk: SmsChunk, rows: list[Any]) -> int:
    by_number: dict[str, list[Any]] = {}
    for row in rows:
        by_number.setdefault(msisdn_key(row.msisdn), []).append(row)
    changed = []
    for recipient in chunk.recipients.all():
        found = by_number.get(msisdn_key(recipient.phone))
        if not found:
            continue
        row = found.pop(0) if len(found) > 1 else found[0]
        state = REPORT_STATES.get(row.state.strip().lower(), SmsRecipient.State.UNDELIVERED)
        new = (state, row.status_text[:200], row.cost, row.network, row.last_updated)
        old = (recipient.state, recipient.status_text, recipient.cost, recipient.network, recipient.last_update)
        if new != old:
            (recipient.state, recipient.status_text, recipient.cost, recipient.network, recipient.last_update) = new
            changed.append(recipient)
    SmsRecipient.objects.bulk_update(
        changed, ["state", "status_text", "cost", "network", "last_update"], batch_size=500
    )
    return len(changed)


def sms_reports_poll() -> str:
    """Every batch not completed yet, oldest first, due (sent or scheduled) within the longest validity plus a day."""
    horizon = timezone.now() - timedelta(days=2)
    ids = list(
        SmsBatch.objects.filter(
            Q(created_at__gte=horizon) | Q(scheduled_at__gte=horizon),
            state__in=(
                SmsBatch.State.SENDING,
                SmsBatch.State.SUBMITTED,
                SmsBatch.State.PAUSED,
                SmsBatch.State.CANCELLED,
            ),
        )
        .filter(chunks__reports_final=False, chunks__state__in=("submitted", "unknown", "submitting"))
        .distinct()
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    changed = 0
    for batch in SmsBatch.objects.filter(pk__in=ids).select_related("account"):
        try:
            changed += sms_batch_reports(batch=batch)
        except ValueError as exc:  # an account that lost its credentials must not stop the others
            log.warning("SMS batch %s: no reports: %s", batch.pk, exc)
    return f"{len(ids)} batches, {changed} recipients updated"


# --- batch actions ------------------------------------------------------------------------


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
        _queue_send(batch.pk)


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
    count = _requeue(ids)
    SmsBatch.objects.filter(pk=batch.pk).exclude(state=SmsBatch.State.PAUSED).update(
        state=SmsBatch.State.SENDING, progress_at=timezone.now()
    )
    audit_record(team=batch.team, actor=actor, action="sms.retry", target=batch, request=request, chunks=count)
    _queue_send(batch.pk)
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
        request=request,
    )
    if batch.personalised:  # the page shows the template the texts came from, not the stand-in
        SmsBatch.objects.filter(pk=new.pk).update(text=batch.text)
        new.text = batch.text
    return new


# --- contacts and opt-outs --------------------------------------------------------------------


def opt_out_add(*, team: Team, actor: User, phone: str, reason: str = "", request: HttpRequest | None = None) -> OptOut:
    number = parse_number(phone)
    opt_out, _created = OptOut.objects.get_or_create(team=team, phone=number.e164, defaults={"reason": reason})
    audit_record(team=team, actor=actor, action="sms.opt_out", target=opt_out, request=request)
    return opt_out


# --- batches sent outside the portal ------------------------------------------------------------


def _e164_from_msisdn(msisdn: str) -> str:
    digits = "".join(c for c in msisdn if c.isdigit())
    if len(digits) == 10 and digits.startswith("5"):
        return f"+90{digits}"  # the reports drop Turkey's 90
    return f"+{digits}"


def sms_batches_import(*, account: ProviderAccount, actor: User | None, start: date, end: date) -> int:
    """Brings in the submits made between two days (query multi) that no batch of ours holds yet.

    Refused while a chunk of ours has an unknown outcome: its submit could be
    imported as someone else's, and the chunk then sent a second time.
    """
    with client_for(account) as client:
        open_chunks = Q(chunks__state__in=(SmsChunk.State.UNKNOWN, SmsChunk.State.SUBMITTING))
        for batch in SmsBatch.objects.filter(open_chunks, account=account).distinct():
            sms_batch_reconcile(batch=batch, client=client)
        if SmsChunk.objects.filter(
            batch__account=account, state__in=(SmsChunk.State.UNKNOWN, SmsChunk.State.SUBMITTING)
        ).exists():
            raise SmsError(_("A send of this account is still being checked against the reports; import later."))
        reports = client.sms_query_multi(start_date=start, end_date=end)
        known = set(
            SmsChunk.objects.filter(batch__account=account, sms_id__isnull=False).values_list("sms_id", flat=True)
        )
        imported = 0
        currency = ""
        for report in reports:
            if report.sms_id in known:
                continue
            currency = currency or _report_currency(account, client)
            rows = client.sms_query(sms_id=report.sms_id)
            _import_report(account, report, rows, currency)
            imported += 1
    if imported:
        audit_record(team=account.team, actor=actor, action="sms.import", account=account.label, batches=imported)
    return imported


def _report_currency(account: ProviderAccount, client: Any) -> str:
    """The reports' costs are in the account's currency: the cached balance says which, or the provider."""
    known = balance.account_balance(account=account).currency
    if known:
        return known
    try:
        return client.user_settings().currency or ""
    except ProviderError as exc:
        log.info("SMS import of account %s: currency unknown: %s", account.pk, type(exc).__name__)
        return ""


@transaction.atomic
def _import_report(account: ProviderAccount, report: Any, rows: list[Any], currency: str) -> SmsBatch:
    texts = {r.payload for r in rows if r.payload}
    batch = SmsBatch.objects.create(
        team=account.team,
        account=account,
        sender=report.sender[:11],
        text=report.message,
        personalised=len(texts) > 1,
        alphabet="",
        state=SmsBatch.State.SUBMITTED,
        recipient_count=len(rows),
        estimated_cost=report.cost,
        currency=currency[:3] if report.cost is not None else "",
    )
    if report.created:
        SmsBatch.objects.filter(pk=batch.pk).update(created_at=report.created)
    chunk = SmsChunk.objects.create(
        batch=batch,
        index=0,
        size=len(rows),
        state=SmsChunk.State.SUBMITTED,
        sms_id=report.sms_id,
        submitted_at=report.created,
    )
    SmsRecipient.objects.bulk_create(
        SmsRecipient(
            batch=batch,
            chunk=chunk,
            phone=_e164_from_msisdn(row.msisdn),
            text=row.payload if len(texts) > 1 else "",
            state=REPORT_STATES.get(row.state.strip().lower(), SmsRecipient.State.UNDELIVERED),
            status_text=row.status_text[:200],
            cost=row.cost,
            network=row.network,
            last_update=row.last_updated,
        )
        for row in rows
    )
    if not batch.recipients.filter(state=SmsRecipient.State.WAITING).exists():
        SmsChunk.objects.filter(pk=chunk.pk).update(reports_final=True)
        SmsBatch.objects.filter(pk=batch.pk).update(state=SmsBatch.State.COMPLETED)
    return batch
