"""Everything that writes fax state or talks to a provider (through a gateway).

A fax is recorded before it is sent and claimed atomically by the worker that
sends it, so a duplicate task or a double click never sends twice. A send
whose answer was lost (``ProviderUnavailable.request_sent``) is marked
``outcome_unknown`` and reconciled from the provider's records, never resent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import ProviderAccount, Team, User
from accounts.provider_errors import describe, describe_stored
from accounts.stored_text import StoredText
from accounts.stored_text import stored as keyed
from core.db import with_retries
from core.phones import display_digits
from providers.errors import (
    InvalidRequest,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
)
from providers.files import EXTENSIONS, PDF, TIFF, sniff_media_type
from providers.records import SkippedRecord

from . import documents as docs
from .gateways import CAPABILITIES, GATEWAYS, Document, Gateway, Incoming, Unsupported, gateway_for
from .models import UNFINISHED, Direction, Fax, FaxDocument, FaxDraft, FaxEvent, FaxInboxPoll, Quality, Status
from .notices import fax_failed_notify, fax_received_notify, fax_stuck_notify

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS = (60, 300)  # seconds before the 2nd and 3rd automatic attempt
UNKNOWN_GRACE = timedelta(minutes=15)  # how long a lost send is looked for before it is declared failed
# The send task's limits: past SEND_TIME_LIMIT no task can still be sending a fax it claimed.
SEND_SOFT_TIME_LIMIT, SEND_TIME_LIMIT = 120, 150
DEFAULT_STALL_SECONDS = 60
STUCK_AFTER = {Status.QUEUED: timedelta(minutes=30), Status.SENDING: timedelta(hours=3)}
INCOMING_LOOKBACK = timedelta(days=7)


class FaxActionError(Exception):
    """An action the user asked for that cannot be done; the message is for the user."""


# --- drafts: compose, preview, confirm ----------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    media_type: str
    pages: int | None


def draft_create(
    *,
    team: Team,
    actor: User | None,
    account: ProviderAccount,
    our_number: str,
    recipients: Sequence[str],
    quality: str,
    scheduled_at: datetime | None,
    uploads: Sequence[Upload],
    reuse_files: Sequence[dict[str, Any]] = (),
) -> FaxDraft:
    """Stores the files; a worker renders what will be transmitted (the preview polls). Nothing is sent yet."""
    files = list(reuse_files) or [store_upload(u) for u in uploads]
    draft = FaxDraft(
        team=team,
        account=account,
        created_by=actor,
        our_number=our_number,
        recipients=list(recipients),
        quality=quality,
        scheduled_at=scheduled_at,
        files=files,
    )
    draft.save()
    from .tasks import render_draft

    # With the broker down the preview is drawn here, in the request (the renderer is bounded).
    render_draft.apply_async_on_commit((draft.pk,), on_queue_error=lambda: draft_render(draft_id=draft.pk))
    return draft


def draft_render(*, draft_id: int) -> str:
    """Renders a draft's transmitted document once: the fax TIFF (or PDF) the preview shows."""
    draft = FaxDraft.objects.select_related("account").filter(pk=draft_id, rendered_at__isnull=True).first()
    if draft is None:
        return "done-already"
    try:
        draft.rendition = render_transmitted(draft.account, draft.files, draft.quality)
    except docs.DocumentError as exc:
        draft.render_error_stored = exc.text
    except Exception:  # a file that passed inspection but breaks the renderer: say so, never hang the preview
        log.exception("fax draft %s could not be rendered", draft.pk)
        draft.render_error_stored = docs.DocumentError("not_prepared").text
    draft.rendered_at = timezone.now()
    draft.save(update_fields=["rendition", "render_error_stored", "rendered_at"])
    return "failed" if draft.render_error_stored else "rendered"


def confirm_pages() -> int:
    """A fax of this many pages or more is sent only once its sender confirmed its length."""
    return max(1, int(getattr(settings, "FAX_CONFIRM_PAGES", 50)))


def needs_page_confirmation(draft: FaxDraft) -> bool:
    return draft.pages >= confirm_pages()


def store_upload(upload: Upload) -> dict[str, Any]:
    return _store(upload.content, upload.filename, upload.media_type, upload.pages)


def _store(content: bytes, filename: str, media_type: str, pages: int | None) -> dict[str, Any]:
    path = default_storage.save(
        f"fax/drafts/{timezone.now():%Y/%m}/{filename[-80:] or 'document'}", ContentFile(content)
    )
    return {"path": path, "filename": filename, "media_type": media_type, "size": len(content), "pages": pages}


def read_stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def render_transmitted(account: ProviderAccount, files: Sequence[dict[str, Any]], quality: str) -> dict[str, Any]:
    """The one document we hand the provider, or {} when the originals go as they are (office files)."""
    caps = CAPABILITIES[account.kind]
    if any(f["media_type"] in docs.OFFICE_TYPES for f in files):
        return {}
    sources = [(read_stored(f["path"]), f["media_type"]) for f in files]
    wants_pdf = str((account.options or {}).get("fax_format") or "").strip().lower() == "pdf" or not caps.takes_tiff
    if wants_pdf and PDF in caps.transmit_types:
        content, pages = docs.as_pdf(sources)
        media_type, name = PDF, "fax.pdf"
    else:
        content, pages = docs.fax_tiff(sources, quality=quality)
        media_type, name = TIFF, "fax.tif"
    stored = _store(content, name, media_type, pages)
    if stored["size"] > caps.max_file_bytes:
        default_storage.delete(stored["path"])
        raise docs.DocumentError("too_big_for_provider")
    return stored


@transaction.atomic
def draft_confirm(
    *, draft: FaxDraft, actor: User | None, request: HttpRequest | None = None, pages_confirmed: bool = False
) -> list[Fax]:
    """One queued fax per recipient; each is sent by a worker after the commit.

    A fax of ``confirm_pages()`` pages or more goes only once the sender confirmed its length.
    """
    locked = FaxDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.confirmed_at is not None:  # a double click: the faxes exist already
        return list(locked.faxes.all())
    if locked.rendered_at is None or locked.render_error or locked.render_error_stored:
        raise FaxActionError(_("The preview is not ready, so the fax cannot be sent yet."))
    if needs_page_confirmation(locked) and not pages_confirmed:
        raise FaxActionError(
            _("This fax has %(pages)d pages: confirm that you want to send them all.") % {"pages": locked.pages}
        )
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_at"])
    faxes = []
    for number in locked.recipients:
        fax = Fax.objects.create(
            team=locked.team,
            account=locked.account,
            direction=Direction.OUTGOING,
            status=Status.QUEUED,
            our_number=locked.our_number,
            remote_number=number,
            quality=locked.quality,
            scheduled_at=locked.scheduled_at,
            pages=locked.pages or None,
            draft=locked,
            created_by=actor,
        )
        for position, stored in enumerate(locked.files):
            _attach(fax, FaxDocument.Role.ORIGINAL, stored, position)
        if locked.rendition:
            _attach(fax, FaxDocument.Role.TRANSMITTED, locked.rendition, 0)
        _event(fax, "queued", Status.QUEUED, actor=actor)
        audit_record(team=fax.team, actor=actor, action="fax.send", target=fax, request=request, to=number)
        faxes.append(fax)
    _queue_sends([f.pk for f in faxes])
    return faxes


def _attach(fax: Fax, role: str, stored: dict[str, Any], position: int) -> FaxDocument:
    document = FaxDocument(
        fax=fax,
        role=role,
        position=position,
        filename=stored.get("filename") or stored["path"].rsplit("/", 1)[-1],
        media_type=stored["media_type"],
        size=stored.get("size") or 0,
        pages=stored.get("pages"),
    )
    document.file.name = stored["path"]  # the same stored file serves every recipient and every resend
    document.save()
    return document


def _queue_sends(fax_ids: list[int]) -> None:
    from .tasks import send_fax

    for pk in fax_ids:  # a broker that is down leaves the fax queued: the watchdog (stale_queued) sends it
        send_fax.delay_on_commit(pk)


# --- sending -------------------------------------------------------------------------------------


def fax_send(*, fax_id: int) -> str:
    """Sends one queued fax once. Returns a short status for the task: sent, retry-later, failed, …"""
    now = timezone.now()
    claimed = Fax.objects.filter(pk=fax_id, status=Status.QUEUED, direction=Direction.OUTGOING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, status_changed_at=now, error="", error_stored={}
    )
    if claimed != 1:
        return "not-queued"
    fax = Fax.objects.select_related("account", "team").get(pk=fax_id)
    if fax.account is None or not fax.account.is_active:
        _finish(fax, Status.FAILED, message=keyed("account_gone"))
        return "failed"
    _event(fax, "attempt", Status.SENDING, key="attempt", params={"n": fax.attempts})
    gateway = gateway_for(fax.account)
    started = timezone.now()
    try:
        submitted = gateway.send(
            fax=fax,
            documents=transmitted_documents(fax),
            fine=fax.quality == Quality.FINE,
            scheduled_at=fax.scheduled_at if gateway.capabilities.schedule else None,
        )
    except ProviderUnavailable as exc:
        if exc.request_sent:
            return _outcome_unknown(fax, exc, started)
        return _requeue_or_fail(fax, describe_stored(exc))
    except RateLimited as exc:
        return _requeue_or_fail(fax, describe_stored(exc))
    except UnexpectedResponse as exc:
        # The provider answered but we could not read it: it may well have taken the fax.
        return _outcome_unknown(fax, exc, started)
    except SoftTimeLimitExceeded:
        # Cut off on the wire: the provider may have it, so its records settle it.
        return _outcome_unknown(fax, None, started)
    except InvalidRequest as exc:
        fax.error_fields = gateway.map_fields(exc.field_errors)
        _finish(fax, Status.FAILED, message=describe_stored(exc), update=["error_fields"])
        return "failed"
    except ProviderError as exc:
        _finish(fax, Status.FAILED, message=describe_stored(exc))
        return "failed"
    finally:
        gateway.close()
    # What the provider said is known here: a lost database connection must not make it unknown.
    with_retries(
        lambda: _accepted(fax, submitted.provider_id, submitted.provider_status, submitted.status, submitted.ref)
    )
    return "accepted"


def transmitted_documents(fax: Fax) -> list[Document]:
    documents = list(fax.documents.all())
    chosen = [d for d in documents if d.role == FaxDocument.Role.TRANSMITTED] or [
        d for d in documents if d.role == FaxDocument.Role.ORIGINAL
    ]
    return [Document(read_stored(d.file.name or ""), d.media_type, d.filename) for d in chosen]


def _accepted(fax: Fax, provider_id: str, provider_status: str, status: str, ref: dict[str, Any]) -> None:
    fax.provider_id = provider_id
    fax.provider_ref = {**fax.provider_ref, **ref}
    fax.outcome_unknown = False
    fax.provider_status = provider_status[:100]
    fax.save(update_fields=["provider_id", "provider_ref", "outcome_unknown", "provider_status"])
    _event(fax, "accepted", Status.SENDING, key="accepted", params={"id": provider_id})
    if status != Status.SENDING:
        _set_status(fax, status, provider_status)


def _outcome_unknown(fax: Fax, exc: ProviderError | None, started: datetime) -> str:
    """``exc`` None: the send was cut off (time limit, a worker that died) with the request on its way."""
    fax.outcome_unknown = True
    _set_error(fax, describe_stored(exc) if exc is not None else keyed("send_cut_off"))
    fax.provider_ref = {**fax.provider_ref, "attempt_started": started.isoformat()}
    fax.save(update_fields=["outcome_unknown", "error", "error_stored", "provider_ref"])
    _event(fax, "unknown", Status.SENDING, key="unknown")
    return "unknown"


def _requeue_or_fail(fax: Fax, message: StoredText | str) -> str:
    if fax.attempts >= MAX_ATTEMPTS:
        _finish(fax, Status.FAILED, message=keyed("gave_up", error=message, n=fax.attempts))
        return "failed"
    fields = _set_error(fax, message)
    Fax.objects.filter(pk=fax.pk).update(status=Status.QUEUED, status_changed_at=timezone.now(), **fields)
    fax.status = Status.QUEUED
    _event(fax, "requeued", Status.QUEUED, message)
    return "retry-later"


def retry_delay(attempts: int) -> int:
    return RETRY_DELAYS[min(max(attempts - 1, 0), len(RETRY_DELAYS) - 1)]


# --- tracking ------------------------------------------------------------------------------------


def fax_track(*, fax: Fax) -> str:
    """Asks the provider where an unfinished outgoing fax is; reconciles a lost send first."""
    if fax.is_finished or fax.account is None or fax.status == Status.QUEUED:
        return "skipped"
    gateway = gateway_for(fax.account)
    try:
        if fax.outcome_unknown:
            return _reconcile(fax, gateway)
        if not fax.provider_id or not gateway.capabilities.status:
            return "no-status"
        tracked = gateway.track(fax)
    except (ProviderError, Unsupported) as exc:
        if isinstance(exc, ProviderError) and describe_stored(exc) != (fax.error_stored or fax.error):
            Fax.objects.filter(pk=fax.pk).update(**_set_error(fax, describe_stored(exc)))
        return "error"
    finally:
        gateway.close()
    if tracked.pages and tracked.pages != fax.pages:
        fax.pages = tracked.pages
    _set_error(fax, "")
    fax.save(update_fields=["pages", "provider_ref", "error", "error_stored"])
    _set_status(fax, tracked.status, tracked.provider_status, tracked.message)
    return fax.status


def _reconcile(fax: Fax, gateway: Gateway) -> str:
    started = _parse_time(fax.provider_ref.get("attempt_started")) or fax.status_changed_at
    found = gateway.find_sent(fax, since=started)
    if found is not None:
        _accepted(fax, found.provider_id, found.provider_status, found.status, found.ref)
        return "reconciled"
    if timezone.now() - started < UNKNOWN_GRACE:
        return "still-unknown"
    fax.outcome_unknown = False
    fax.save(update_fields=["outcome_unknown"])
    _finish(fax, Status.FAILED, message=keyed("no_record"))
    return "failed"


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def faxes_to_track() -> list[int]:
    return list(
        Fax.objects.filter(direction=Direction.OUTGOING, status=Status.SENDING, account__is_active=True)
        .order_by("status_changed_at")
        .values_list("pk", flat=True)[:500]
    )


def _stall() -> timedelta:
    return timedelta(seconds=getattr(settings, "SEND_STALL_SECONDS", DEFAULT_STALL_SECONDS))


def stale_queued() -> list[int]:
    """Queued faxes whose send task is gone (a worker died, a database error): safe to queue again, the claim
    prevents a double send. A fax waiting out a retry delay is not stale; each is returned once per stall period.
    """
    cutoff = timezone.now() - _stall()
    due = Q(attempts=0, last_moved__lt=cutoff)
    for attempts in range(1, MAX_ATTEMPTS):
        due |= Q(attempts=attempts, last_moved__lt=cutoff - timedelta(seconds=retry_delay(attempts)))
    stale = list(
        Fax.objects.filter(direction=Direction.OUTGOING, status=Status.QUEUED, attempts__lt=MAX_ATTEMPTS)
        .annotate(last_moved=Coalesce(Max("events__at"), "status_changed_at"))
        .filter(due)
        .order_by("status_changed_at")[:200]
    )
    for fax in stale:
        _event(fax, "resumed", Status.QUEUED, key="resumed")
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
        _outcome_unknown(fax, None, fax.status_changed_at)
        marked.append(fax.pk)
    return marked


# --- incoming ------------------------------------------------------------------------------------


def fax_fetch_incoming(*, account: ProviderAccount) -> int:
    """Stores the account's new received faxes (each once per team) with their documents; returns how many are new.

    Records are taken one by one: one the provider got wrong is logged and skipped, never
    blocking the ones after it. Received faxes still without their document are fetched again.
    """
    caps = CAPABILITIES[account.kind]
    if not caps.incoming_list:
        return 0
    if GATEWAYS[account.kind].poll_only_with_numbers and not (account.options or {}).get("fax_numbers"):
        return 0
    latest = account.faxes.filter(direction=Direction.INCOMING).aggregate(latest=Max("created_at"))["latest"]
    since = (latest - timedelta(days=1)) if latest else timezone.now() - INCOMING_LOOKBACK
    gateway = gateway_for(account)
    new = 0
    skipped: list[dict[str, str]] = []
    try:
        # Another account of the team with the same credentials sees the same inbox: its faxes are known too.
        known = set(received_of(account).exclude(provider_id="").values_list("provider_id", flat=True))
        for item in gateway.incoming(since=since, on_skip=lambda record: skipped.append(_unreadable(record))):
            if item.provider_id in known:
                continue
            known.add(item.provider_id)
            try:
                stored = _store_incoming(account, gateway, item)
            except Exception as exc:  # one poison record must not stop the inbox at it on every poll
                log.exception("fax inbox of account %s: record %r skipped", account.pk, item.provider_id[:100])
                skipped.append({"provider_id": str(item.provider_id)[:100], "error": type(exc).__name__})
                continue
            new += stored
        _fetch_missing_documents(account, gateway)
    finally:
        gateway.close()
    FaxInboxPoll.objects.update_or_create(
        account=account, defaults={"polled_at": timezone.now(), "skipped": skipped[: FaxInboxPoll.SKIPPED_KEPT]}
    )
    return new


def _unreadable(record: SkippedRecord) -> dict[str, str]:
    """A received fax the provider's client could not read, kept like one the database refused."""
    return {"provider_id": record.record_id or "?", "error": "unreadable", "reason": record.reason}


def received_of(account: ProviderAccount) -> QuerySet[Fax]:
    """The received faxes of the account's team from the account's provider (whichever account fetched them)."""
    return Fax.objects.filter(team_id=account.team_id, provider_kind=account.kind, direction=Direction.INCOMING)


def _store_incoming(account: ProviderAccount, gateway: Gateway, item: Incoming) -> bool:
    if not item.provider_id or len(item.provider_id) > PROVIDER_ID_MAX:
        raise ValueError(f"a provider id of {len(item.provider_id)} characters cannot name a fax")
    try:
        with transaction.atomic():
            fax = Fax.objects.create(
                team=account.team,
                account=account,
                direction=Direction.INCOMING,
                status=Status.RECEIVED,
                provider_status=_fit(item.provider_status, "provider_status"),
                our_number=_fit(item.our_number, "our_number"),
                remote_number=_fit(item.remote_number, "remote_number"),
                pages=item.pages if isinstance(item.pages, int) and 0 <= item.pages < 2**31 else None,
                provider_id=item.provider_id,
                provider_kind=account.kind,
                provider_ref=item.ref,
                raw=_json_safe(
                    {
                        **item.raw,
                        "remote_number": item.remote_number,
                        "our_number": item.our_number,
                        "provider_status": item.provider_status,
                    }
                ),
                created_at=item.received_at or timezone.now(),
                completed_at=item.received_at or timezone.now(),
            )
    except IntegrityError:  # another worker (or another account of the team) stored it first
        return False
    _event(fax, "received", Status.RECEIVED)
    _fetch_received_document(fax, gateway)
    fax_received_notify(fax=fax)
    return True


def _max_length(name: str) -> int:
    field = Fax._meta.get_field(name)
    return (field.max_length or 0) if isinstance(field, CharField) else 0


PROVIDER_ID_MAX = _max_length("provider_id") or 100
MISSING_DOCUMENT_TRIES = 20  # polls; after that a person can still fetch it from the fax's page
MISSING_DOCUMENT_BATCH = 10  # per poll, so a provider that never serves documents cannot slow every poll


def _fit(value: Any, field: str) -> str:
    """A provider's text cut to its column (the full value stays in ``raw``)."""
    return str(value or "")[: _max_length(field)]


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(value, default=str))


def _fetch_received_document(fax: Fax, gateway: Gateway) -> bool:
    """Fetches and keeps a received fax's document; on any failure the fax stays fetchable again."""
    try:
        _save_document(fax, FaxDocument.Role.RECEIVED, gateway.incoming_document(fax))
    except Exception as exc:  # the fax is known now: whatever went wrong, the next poll tries again
        if isinstance(exc, ProviderError):
            message = describe_stored(exc)
        else:
            log.exception("fax %s: the received document could not be stored", fax.pk)
            message = keyed("document_missing")
        tries = int(fax.provider_ref.get("document_tries") or 0) + 1
        fax.provider_ref = {**fax.provider_ref, "document_tries": tries}
        if message != (fax.error_stored or fax.error):
            _event(fax, "error", "", message)
        Fax.objects.filter(pk=fax.pk).update(provider_ref=fax.provider_ref, **_set_error(fax, message))
        return False
    if fax.error or fax.error_stored:
        Fax.objects.filter(pk=fax.pk).update(**_set_error(fax, ""))
    return True


def missing_documents(account: ProviderAccount) -> QuerySet[Fax]:
    """Received faxes of this account stored without their document, still worth asking for."""
    return (
        account.faxes.filter(direction=Direction.INCOMING, created_at__gte=timezone.now() - INCOMING_LOOKBACK)
        .exclude(documents__role=FaxDocument.Role.RECEIVED)
        .exclude(provider_ref__document_tries__gte=MISSING_DOCUMENT_TRIES)
        .order_by("created_at")
    )


def _fetch_missing_documents(account: ProviderAccount, gateway: Gateway) -> int:
    fetched = 0
    for fax in missing_documents(account)[:MISSING_DOCUMENT_BATCH]:
        fetched += _fetch_received_document(fax, gateway)
    return fetched


def fetch_received_document(*, fax: Fax) -> FaxDocument:
    """A received fax's document, fetched now from the provider if it is still missing (a person asked)."""
    existing = fax.documents_of(FaxDocument.Role.RECEIVED)
    if existing:
        return existing[0]
    if fax.account is None:
        raise FaxActionError(_("The provider account is gone: this document cannot be fetched."))
    gateway = gateway_for(fax.account)
    try:
        if not _fetch_received_document(fax, gateway):
            raise FaxActionError(fax.error_text)
    finally:
        gateway.close()
    return fax.documents_of(FaxDocument.Role.RECEIVED)[0]


def _save_document(fax: Fax, role: str, document: Document) -> FaxDocument:
    media_type = sniff_media_type(document.content) or document.media_type
    try:
        pages = docs.inspect(document.content, accepted=[PDF, TIFF]).pages
    except docs.DocumentError:
        pages = None
    filename = safe_filename(document.filename, media_type, fallback=f"fax-{fax.pk}")
    saved = FaxDocument(
        fax=fax, role=role, filename=filename, media_type=media_type, size=len(document.content), pages=pages
    )
    saved.file.save(filename, ContentFile(document.content), save=True)
    if pages and not fax.pages:
        Fax.objects.filter(pk=fax.pk).update(pages=pages)
    return saved


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, media_type: str, *, fallback: str) -> str:
    """A provider's file name as a plain base name of allowed characters, with the extension its content has."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    stem = _UNSAFE.sub("-", base.rsplit(".", 1)[0] if "." in base else base).strip(".-_")[:60]
    return f"{stem or fallback}.{EXTENSIONS.get(media_type, 'bin')}"


def fetch_sent_document(*, fax: Fax) -> FaxDocument:
    """The provider's copy of what it transmitted, fetched once and kept."""
    existing = [d for d in fax.documents.all() if d.role == FaxDocument.Role.TRANSMITTED]
    if existing:
        return existing[0]
    if fax.account is None or not CAPABILITIES[fax.account.kind].download or not fax.provider_id:
        raise FaxActionError(_("This provider does not give the transmitted document back."))
    gateway = gateway_for(fax.account)
    try:
        return _save_document(fax, FaxDocument.Role.TRANSMITTED, gateway.sent_document(fax))
    except (KeyError, Unsupported):
        raise FaxActionError(_("The provider has no document for this fax yet.")) from None
    except ProviderError as exc:
        raise FaxActionError(describe(exc)) from None
    finally:
        gateway.close()


# --- retry, cancel, resend ----------------------------------------------------------------------


def can_retry(fax: Fax) -> bool:
    if fax.direction != Direction.OUTGOING or fax.account is None:
        return False
    if fax.status == Status.FAILED and not fax.provider_id:
        return True  # it never reached the provider: sending it again is safe
    return CAPABILITIES[fax.account.kind].retry and gateway_class(fax).can_retry(fax)


def can_cancel(fax: Fax) -> bool:
    if fax.direction != Direction.OUTGOING or fax.account is None:
        return False
    if fax.status == Status.QUEUED:
        return True
    return CAPABILITIES[fax.account.kind].cancel and gateway_class(fax).can_cancel(fax)


def gateway_class(fax: Fax) -> type[Gateway]:
    assert fax.account is not None  # can_retry / can_cancel looked for one first
    return GATEWAYS[fax.account.kind]


def fax_retry(*, fax: Fax, actor: User | None, request: HttpRequest | None = None) -> str:
    if not can_retry(fax):
        raise FaxActionError(_("This fax cannot be retried now."))
    audit_record(team=fax.team, actor=actor, action="fax.retry", target=fax, request=request)
    if not fax.provider_id:
        updated = Fax.objects.filter(pk=fax.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempts=0,
            error="",
            error_stored={},
            error_fields={},
            status_changed_at=timezone.now(),
            completed_at=None,
        )
        if updated:
            _event(fax, "retry", Status.QUEUED, actor=actor)
            _queue_sends([fax.pk])
        return "requeued"
    assert fax.account is not None  # can_retry / can_cancel found one
    gateway = gateway_for(fax.account)
    try:
        tracked = gateway.retry(fax)
    except ProviderError as exc:
        raise FaxActionError(describe(exc)) from None
    finally:
        gateway.close()
    Fax.objects.filter(pk=fax.pk).update(error="", completed_at=None)
    _event(fax, "retry", "", key="retry_asked", actor=actor)
    _set_status(fax, tracked.status, tracked.provider_status, force_event=True)
    return fax.status


def fax_cancel(*, fax: Fax, actor: User | None, request: HttpRequest | None = None) -> str:
    if not can_cancel(fax):
        raise FaxActionError(_("This fax cannot be cancelled now."))
    audit_record(team=fax.team, actor=actor, action="fax.cancel", target=fax, request=request)
    if fax.status == Status.QUEUED and Fax.objects.filter(pk=fax.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, status_changed_at=timezone.now(), completed_at=timezone.now()
    ):
        _event(fax, "cancel", Status.CANCELLED, key="cancelled_here", actor=actor)
        return Status.CANCELLED
    if not fax.provider_id:
        raise FaxActionError(_("This fax is being sent right now; try again in a moment."))
    assert fax.account is not None  # can_retry / can_cancel found one
    gateway = gateway_for(fax.account)
    try:
        # Where it can be known, the provider's state now, not the one the page was drawn from: a fax it has
        # started sending is told so, not sent a cancel that the provider then refuses.
        if gateway.capabilities.status and fax.provider_id:
            fresh = gateway.track(fax)
            _set_status(fax, fresh.status, fresh.provider_status, fresh.message)
            if not can_cancel(fax):
                raise FaxActionError(_("The provider is already sending this fax: it can no longer be cancelled."))
        tracked = gateway.cancel(fax)
    except ProviderError as exc:
        raise FaxActionError(describe(exc)) from None
    finally:
        gateway.close()
    _event(fax, "cancel", "", key="cancel_asked", actor=actor)
    _set_status(fax, tracked.status, tracked.provider_status, force_event=True)
    return fax.status


@transaction.atomic
def fax_resend(*, fax: Fax, actor: User | None, request: HttpRequest | None = None) -> Fax:
    """A new fax to the same number with the same documents."""
    if fax.account is None or not fax.account.is_active:
        raise FaxActionError(_("The provider account is gone or inactive."))
    if fax.direction != Direction.OUTGOING:
        raise FaxActionError(_("Only sent faxes can be resent."))
    copy = Fax.objects.create(
        team=fax.team,
        account=fax.account,
        direction=Direction.OUTGOING,
        status=Status.QUEUED,
        our_number=fax.our_number,
        remote_number=fax.remote_number,
        quality=fax.quality,
        pages=fax.pages,
        resent_from=fax,
        created_by=actor,
    )
    for document in fax.documents.all():
        if document.role == FaxDocument.Role.ORIGINAL or (
            document.role == FaxDocument.Role.TRANSMITTED and fax.draft_id is not None
        ):
            _attach(copy, document.role, _as_stored(document), document.position)
    _event(copy, "queued", Status.QUEUED, key="resend_of", params={"id": fax.pk}, actor=actor)
    audit_record(team=fax.team, actor=actor, action="fax.send", target=copy, request=request, resend_of=fax.pk)
    _queue_sends([copy.pk])
    return copy


def _as_stored(document: FaxDocument) -> dict[str, Any]:
    return {
        "path": document.file.name,
        "filename": document.filename,
        "media_type": document.media_type,
        "size": document.size,
        "pages": document.pages,
    }


# --- watchdog, status and timeline ----------------------------------------------------------------


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
            message = _("Fax %(id)s to %(number)s has been %(status)s since %(since)s.") % {
                "id": fax.pk,
                "number": display_digits(fax.remote_number),
                "status": fax.get_status_display().lower(),
                "since": timezone.localtime(fax.status_changed_at).strftime("%Y-%m-%d %H:%M"),
            }
            _event(
                fax,
                "stuck",
                "",
                key="stuck",
                params={
                    "id": fax.pk,
                    "number": fax.remote_number,
                    "status": fax.status,
                    "since": fax.status_changed_at.isoformat(),
                },
            )
            fax_stuck_notify(fax=fax)
            log.warning("fax stuck: %s", message)
            flagged += 1
    return flagged


def _set_status(
    fax: Fax, status: str, provider_status: str, message: StoredText | str = "", *, force_event: bool = False
) -> None:
    changed = status != fax.status
    said_more = bool(provider_status) and provider_status[:100] != fax.provider_status
    now = timezone.now()
    fields: dict[str, Any] = {"provider_status": provider_status[:100]}
    if changed:
        fields.update(status=status, status_changed_at=now, is_stuck=False)
        fields["completed_at"] = None if status in UNFINISHED else now
    Fax.objects.filter(pk=fax.pk).update(**fields)
    for name, value in fields.items():
        setattr(fax, name, value)
    if changed or force_event or said_more:
        _event(fax, "status", status, message or provider_status)
    if changed and status == Status.FAILED:
        fax_failed_notify(fax=fax)


def _finish(fax: Fax, status: str, *, message: StoredText | str, update: Sequence[str] = ()) -> None:
    fax.save(update_fields=[*_set_error(fax, message), *update])
    _set_status(fax, status, fax.provider_status, message)


def _event(
    fax: Fax,
    kind: str,
    status: str,
    message: StoredText | str = "",
    *,
    key: str = "",
    params: dict[str, Any] | None = None,
    actor: User | None = None,
) -> FaxEvent:
    """A timeline line: ours as ``key`` + ``params`` (rendered in the reader's language), the provider's as text.

    ``message`` may be a stored text (an error): its key and parameters are kept the same way.
    """
    if isinstance(message, dict):
        key, params, message = message["key"], message.get("params") or {}, ""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return FaxEvent.objects.create(
        fax=fax, kind=kind, status=status, message_key=key, params=params or {}, message=message[:2000], actor=user
    )


def _set_error(fax: Fax, message: StoredText | str) -> dict[str, Any]:
    """Sets the fax's error (ours as a stored text; "" clears it); the fields to save."""
    if isinstance(message, dict):
        fields: dict[str, Any] = {"error": "", "error_stored": message}
    else:
        fields = {"error": message, "error_stored": {}}
    for name, value in fields.items():
        setattr(fax, name, value)
    return fields


def document_filename(document: FaxDocument, *, media_type: str = "") -> str:
    stem = document.filename.rsplit(".", 1)[0] or "fax"
    extension = EXTENSIONS.get(media_type or document.media_type, "bin")
    return f"{stem}.{extension}"
