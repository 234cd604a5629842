"""The only place that writes call data and talks to providers for calls and the PBX."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import ProviderAccount, Team, User
from accounts.provider_clients import client_for
from accounts.provider_errors import describe, describe_stored
from accounts.provider_options import options_of
from accounts.provider_specs.pasifik import PASIFIK
from providers.errors import NotFound, ProviderError, ProviderUnavailable
from providers.pasifik.responses import PBX_MESSAGES
from providers.records import OnSkip
from providers.records import SkippedRecord as UnreadableRecord

from . import import_staging
from .fitting import RULES_VERSION, RecordRejected, fit_to_columns, record_key
from .models import CallRecord, ImportWatermark, Source, StatusSnapshot
from .normalize import pbx_fields, tel_fields
from .status import PBX_STATE_TEXT, active_calls_data, extensions_data, live_calls_data, peers_data
from .waveform import stored_recording_peaks
from .webhook_events import calls_recorded_emit, calls_recorded_wanted, recorded_before

logger = logging.getLogger(__name__)

UPSERT_BATCH = 500
STAGED_BATCH = 5_000  # PostgreSQL: records a COPY into the staging table carries
# Fields an import may overwrite; the stored recording and its state are ours, not the provider's.
UPSERT_FIELDS = [
    "team", "start", "answer", "end", "duration", "billed_seconds", "caller", "callee", "direction",
    "disposition", "result", "cost", "country", "description", "recording_name", "has_recording", "raw",
    "content_hash", "raw_hash", "imported_at",
]  # fmt: skip


def import_overlap() -> timedelta:
    return timedelta(minutes=getattr(settings, "TELEPHONY_IMPORT_OVERLAP_MINUTES", 120))


def import_backfill() -> timedelta:
    return timedelta(days=getattr(settings, "TELEPHONY_IMPORT_BACKFILL_DAYS", 30))


def telephone_ids(account: ProviderAccount) -> list[int]:
    ids = []
    for value in options_of(account, PASIFIK).telephone_ids:
        try:
            ids.append(int(str(value).strip()))
        except ValueError:
            continue
    return ids


def calls_accounts(team: Team | None = None) -> QuerySet[ProviderAccount]:
    accounts = ProviderAccount.objects.filter(kind=PASIFIK.kind, is_active=True)
    return accounts.filter(team=team) if team is not None else accounts


# --- import ------------------------------------------------------------------


@dataclass(frozen=True)
class SkippedRecord:
    """A provider record the import could not store, and why; the others go in regardless.

    ``code`` (with ``field`` and ``detail``) is put into words when shown, in the reader's language:
    out_of_range, not_a_number, no_id, unreadable, refused (by the database).
    """

    provider_id: str
    code: str
    field: str = ""
    detail: str = ""

    def as_data(self) -> dict[str, str]:
        return {"provider_id": self.provider_id, "code": self.code, "field": self.field, "detail": self.detail}


# How many skipped records a watermark keeps the details of (the count is always complete).
SKIPPED_DETAILS = 20


def _skip(skipped: list[SkippedRecord], provider_id: Any, code: str, field: str = "", detail: str = "") -> None:
    record = SkippedRecord(str(provider_id or "?")[:64], code, field, detail[:200])
    logger.warning("call record %s skipped: %s %s %s", record.provider_id, code, field, record.detail)
    skipped.append(record)


def _error_text(exc: Exception) -> str:
    """The exception's class and first line (PostgreSQL puts the row's values on a later DETAIL line)."""
    return f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"


def call_records_upsert(
    *, account: ProviderAccount, rows: Iterable[dict[str, Any]], skipped: list[SkippedRecord] | None = None
) -> int:
    """Inserts or updates on (account, source, provider_id); returns how many records were stored.

    One bulk upsert (``INSERT … ON CONFLICT DO UPDATE``) per batch, and only of the records that are new
    or differ from what is stored. Each record is compared twice, by two hashes stored beside it:
    ``raw_hash``, a cheap digest of the record as received (``raw_digest``): a record whose digest is
    stored already is counted and left before any fitting, so re-importing an unchanged window costs a
    digest per record and one SELECT per batch; then ``content_hash``, of its fitted values: a record is
    written only when either differs, so events fire only for what changed. On PostgreSQL the changed
    records are ``COPY``-ed into a staging table and written by one upsert whose conflict clause compares
    the hashes again (``import_staging``); on SQLite ``bulk_create`` writes them.

    Every value is fitted to its column first (the full record stays in ``raw``). A batch the
    database still refuses is written again record by record, so one bad record is skipped
    (and added to ``skipped``) instead of aborting the import.
    """
    skipped = [] if skipped is None else skipped
    written = 0
    # (source, provider id) -> (the record as received, its raw digest); fitted only when that digest is new.
    batch: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    recordings_wanted = calls_recorded_wanted(account)
    team_id = account.team_id

    def write(records: list[CallRecord]) -> None:
        with transaction.atomic():
            known = recorded_before(account, records) if recordings_wanted else set()
            CallRecord.objects.bulk_create(
                records,
                update_conflicts=True,
                unique_fields=["account", "source", "provider_id"],
                update_fields=UPSERT_FIELDS,
            )
            if recordings_wanted:
                calls_recorded_emit(account=account, records=records, known=known)

    def flush() -> None:
        nonlocal written
        changed, received = changed_rows(account, batch, skipped)
        batch.clear()
        if import_staging.applies() and (not changed or staged(changed)):
            written += received
            return
        records = [CallRecord(team_id=team_id, account=account, **fitted) for fitted in changed]
        if not records:
            written += received
            return
        try:
            write(records)
            written += received
            return
        except DatabaseError:
            logger.info("a batch of %s call records was refused; writing them one by one", len(records))
        written += received - len(records)  # unchanged, stored already
        for record in records:
            try:
                write([record])
                written += 1
            except DatabaseError as exc:
                _skip(skipped, record.provider_id, "refused", detail=_error_text(exc))

    def staged(fitted_rows: list[dict[str, Any]]) -> bool:
        """PostgreSQL: the whole batch through a staging table; False when refused (written one by one then)."""
        try:
            with transaction.atomic():
                # Model instances only for the recorded-call events, when someone listens to them.
                records = [CallRecord(account=account, **f) for f in fitted_rows] if recordings_wanted else []
                known = recorded_before(account, records) if recordings_wanted else set()
                import_staging.staged_upsert(account=account, rows=fitted_rows, update_fields=UPSERT_FIELDS)
                if recordings_wanted:
                    calls_recorded_emit(account=account, records=records, known=known)
        except DatabaseError:
            logger.info("a staged batch of %s call records was refused; writing them one by one", len(fitted_rows))
            return False
        return True

    batch_size = STAGED_BATCH if import_staging.applies() else UPSERT_BATCH
    for row in rows:
        try:
            key = record_key(row)
        except RecordRejected as exc:
            _skip(skipped, row.get("provider_id"), exc.code, exc.field, exc.value)
            continue
        if key in batch:
            # The same record twice in one statement is an error on PostgreSQL: the later one that can be stored wins.
            kept = _storable(batch.pop(key)[0], row, skipped)
            if kept is None:
                continue
            row = kept
        batch[key] = (row, raw_digest(team_id, row))
        if len(batch) >= batch_size:
            flush()
    flush()
    return written


def _fits(row: dict[str, Any], skipped: list[SkippedRecord]) -> dict[str, Any] | None:
    """``row`` fitted to the columns, or None (and a skipped record) when it cannot be stored."""
    try:
        return fit_to_columns(row)
    except RecordRejected as exc:
        _skip(skipped, row.get("provider_id"), exc.code, exc.field, exc.value)
        return None


def _storable(earlier: dict[str, Any], later: dict[str, Any], skipped: list[SkippedRecord]) -> dict[str, Any] | None:
    """Of two copies of one record in a batch, the later one that can be stored (fitted now, as a record is
    fitted when written, so that one that cannot is skipped in its turn); None when neither can."""
    kept = earlier if _fits(earlier, skipped) is not None else None
    return later if _fits(later, skipped) is not None else kept


def raw_digest(team_id: int, row: dict[str, Any]) -> str:
    """What a record as received is compared by before it is fitted: its team, the fitting rules' version and
    ``repr`` of the record (the provider's record read the same way twice gives the same text; a record that
    reads differently, even only in the order of its keys, is fitted and compared by ``content_hash``)."""
    text = repr((team_id, RULES_VERSION, row))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# json.dumps(sort_keys=True, default=str, ensure_ascii=False) without making an encoder per record.
_HASHED_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)


def content_hash(team_id: int, fitted: dict[str, Any]) -> str:
    """What a stored record is compared by: its team and every fitted value (the raw record included)."""
    text = _HASHED_JSON.encode([team_id, fitted])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def changed_rows(
    account: ProviderAccount,
    batch: dict[tuple[str, str], tuple[dict[str, Any], str]],
    skipped: list[SkippedRecord],
) -> tuple[list[dict[str, Any]], int]:
    """The records of ``batch`` to write, fitted, with their ``raw_hash`` and ``content_hash``: those not stored
    yet or stored with other hashes (one SELECT); and how many of ``batch`` can be stored (the others are
    added to ``skipped``)."""
    if not batch:
        return [], 0
    rows: Iterable[tuple[str, str, str, str]]
    if import_staging.applies():
        rows = import_staging.stored_hashes(account=account, keys=list(batch))
    else:
        stored = CallRecord.objects.filter(account=account, provider_id__in=[pid for _source, pid in batch])
        rows = stored.values_list("source", "provider_id", "raw_hash", "content_hash")
    hashes = {(source, pid): (raw, fitted) for source, pid, raw, fitted in rows}
    changed, received = [], len(batch)
    for key, (row, digest) in batch.items():
        stored_hashes = hashes.get(key)
        if stored_hashes is not None and stored_hashes[0] == digest:
            continue  # received as it was when stored: nothing to fit
        fitted = _fits(row, skipped)
        if fitted is None:
            received -= 1
            continue
        fitted_hash = content_hash(account.team_id, fitted)
        if stored_hashes != (digest, fitted_hash):
            fitted["raw_hash"], fitted["content_hash"] = digest, fitted_hash
            changed.append(fitted)
    return changed, received


def _watermark(account: ProviderAccount, source: str, key: str = "") -> ImportWatermark:
    mark, _created = ImportWatermark.objects.get_or_create(account=account, source=source, key=key)
    return mark


def _window_start(mark: ImportWatermark, now: datetime) -> datetime:
    if mark.imported_until is None:
        # From the start of that day (UTC): a provider's history that reaches back exactly the
        # backfill period, counted from a moment earlier today, is then brought in whole.
        return (now - import_backfill()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return min(mark.imported_until, now) - import_overlap()


# What reading one odd record may raise; it is then skipped, the others still go in.
RECORD_ERRORS = (ValueError, TypeError, ArithmeticError, KeyError, AttributeError)


def _rows(records: Iterable[Any], fields: Any, id_of: Any, skipped: list[SkippedRecord]) -> Iterator[dict[str, Any]]:
    for record in records:
        try:
            row = fields(record)
        except RECORD_ERRORS as exc:
            _skip(skipped, getattr(record, id_of, None), "unreadable", detail=_error_text(exc))
            continue
        if row is not None:
            yield row


def _unreadable(skipped: list[SkippedRecord]) -> OnSkip:
    """The client's ``on_skip``: a record it could not read is counted like one the database refused."""

    def on_skip(record: UnreadableRecord) -> None:
        _skip(skipped, record.record_id, "unreadable", detail=record.reason)

    return on_skip


def _tel_rows(calls: Iterable[Any], skipped: list[SkippedRecord]) -> Iterator[dict[str, Any]]:
    return _rows(calls, tel_fields, "i_cdr", skipped)


def _pbx_rows(cdrs: Iterable[Any], skipped: list[SkippedRecord]) -> Iterator[dict[str, Any]]:
    return _rows(cdrs, pbx_fields, "uniqueid", skipped)


@dataclass
class ImportSummary:
    written: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)

    def status(self) -> str:
        return (
            f"imported {self.written}"
            + (f", {len(self.skipped)} records skipped" if self.skipped else "")
            + (f", {len(self.errors)} failed" if self.errors else "")
        )


def tel_history_import(*, account: ProviderAccount, now: datetime | None = None, page_size: int = 500) -> ImportSummary:
    """Telephone history of each of the account's telephone ids, from its watermark minus the overlap."""
    now = now or timezone.now()
    summary = ImportSummary()
    client = client_for(account, PASIFIK)
    for telephone_id in telephone_ids(account):
        mark = _watermark(account, Source.TELEPHONE, str(telephone_id))
        start = _window_start(mark, now)
        skipped: list[SkippedRecord] = []
        try:
            # end_date fixes the window, so calls that end while we page do not shift the offsets.
            calls = client.iter_tel_history(
                i_account=telephone_id, start_date=start, end_date=now, type="all", page_size=page_size,
                on_skip=_unreadable(skipped),
            )  # fmt: skip
            count = call_records_upsert(account=account, rows=_tel_rows(calls, skipped), skipped=skipped)
        except ProviderError as exc:
            _watermark_failed(mark, exc, now)
            summary.errors.append(describe(exc))
            continue
        _watermark_advanced(mark, until=now, count=count, ran_at=now, skipped=skipped)
        summary.written += count
        summary.skipped.extend(skipped)
    return summary


def pbx_cdr_import(*, account: ProviderAccount, now: datetime | None = None, slice_hours: int = 24) -> ImportSummary:
    """PBX CDRs from the watermark minus the overlap, a day at a time (the endpoint has no paging)."""
    now = now or timezone.now()
    summary = ImportSummary()
    client = client_for(account, PASIFIK)
    mark = _watermark(account, Source.PBX)
    start = _window_start(mark, now)
    count = 0
    skipped: list[SkippedRecord] = []
    while start < now:
        end = min(start + timedelta(hours=slice_hours), now)
        try:
            cdrs = client.pbx_cdr(start_date=start, end_date=end, on_skip=_unreadable(skipped))
            count += call_records_upsert(account=account, rows=_pbx_rows(cdrs, skipped), skipped=skipped)
        except ProviderError as exc:
            _watermark_failed(mark, exc, now)
            summary.errors.append(describe(exc))
            break
        # Saved slice by slice: a failure later resumes from here, not from the start.
        _watermark_advanced(mark, until=end, count=count, ran_at=now, skipped=skipped)
        start = end
    summary.written += count
    summary.skipped.extend(skipped)
    return summary


def _watermark_advanced(
    mark: ImportWatermark, *, until: datetime, count: int, ran_at: datetime, skipped: list[SkippedRecord]
) -> None:
    """The window is done: records that could not be stored are counted and described, and do not hold it back."""
    mark.imported_until = until
    mark.last_run_at = ran_at
    mark.last_count = count
    mark.last_error, mark.last_error_stored = "", {}
    mark.last_skipped = len(skipped)
    mark.skipped_records = [record.as_data() for record in skipped[:SKIPPED_DETAILS]]
    mark.save(
        update_fields=[
            "imported_until",
            "last_run_at",
            "last_count",
            "last_error",
            "last_error_stored",
            "last_skipped",
            "skipped_records",
        ]
    )


def _watermark_failed(mark: ImportWatermark, exc: ProviderError, ran_at: datetime) -> None:
    logger.warning("call import failed for %s: %s", mark, exc)
    mark.last_run_at = ran_at
    mark.last_error, mark.last_error_stored = "", describe_stored(exc)
    mark.save(update_fields=["last_run_at", "last_error", "last_error_stored"])


def calls_import(*, account: ProviderAccount, now: datetime | None = None) -> ImportSummary:
    """Both sources of one Pasifik account."""
    summary = ImportSummary()
    for part in (tel_history_import(account=account, now=now), pbx_cdr_import(account=account, now=now)):
        summary.written += part.written
        summary.errors.extend(part.errors)
        summary.skipped.extend(part.skipped)
    return summary


# --- recordings --------------------------------------------------------------


class RecordingUnavailable(Exception):
    """A user-safe reason why a recording cannot be played."""

    def __init__(self, message: str, *, gone: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.gone = gone


def recording_storage_name(call: CallRecord) -> str:
    return f"recordings/{call.team_id}/{call.account_id}/{call.provider_id}.wav"


def _recording_day(call: CallRecord) -> date | datetime:
    """The PBX's own day of the call (``calldate`` as its CDR wrote it), else the start, put in the PBX's zone."""
    try:
        return date.fromisoformat(str((call.raw or {}).get("calldate") or "")[:10])
    except ValueError:
        return call.start


def recording_fetch(*, call: CallRecord) -> CallRecord:
    """Makes sure the recording is in storage, fetching it from the provider at most once.

    The file name and day come from the CDR, never from the user: the provider
    matches ``wavname`` like grep, so anything else could fetch another call's file.
    """
    if call.recording:
        return recording_peaks_ensure(call=call)
    if not call.has_recording or call.source != Source.PBX:
        raise RecordingUnavailable(_("This call has no recording."))
    if call.recording_missing:
        raise RecordingUnavailable(_("The provider no longer has this recording."), gone=True)
    client = client_for(call.account, PASIFIK)
    try:
        # Copied whole (in memory up to Django's upload threshold, then on disk) before it is stored, so a
        # download cut off midway leaves nothing in storage.
        with (
            client.pbx_cdr_wav(wavname=call.recording_name, calldate=_recording_day(call)) as download,
            tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as copy,
        ):
            download.write_to(copy)
            copy.seek(0)
            name = default_storage.save(recording_storage_name(call), File(copy, name=download.filename))
    except NotFound:
        CallRecord.objects.filter(pk=call.pk).update(recording_missing=True)
        call.recording_missing = True
        raise RecordingUnavailable(_("The provider no longer has this recording."), gone=True) from None
    except ProviderError as exc:
        raise RecordingUnavailable(describe(exc)) from exc
    peaks = stored_recording_peaks(name)
    # Two players racing for the same file: the first stored wins, the other copy goes.
    if CallRecord.objects.filter(pk=call.pk, recording="").update(recording=name, recording_peaks=peaks) == 0:
        default_storage.delete(name)
        call.refresh_from_db(fields=["recording", "recording_peaks"])
    else:
        call.recording.name = name
        call.recording_peaks = peaks
    return call


def recording_peaks_ensure(*, call: CallRecord) -> CallRecord:
    """The waveform of a recording stored before there were waveforms: computed once, then kept."""
    if call.recording_peaks is None and call.recording.name:
        call.recording_peaks = stored_recording_peaks(call.recording.name)
        CallRecord.objects.filter(pk=call.pk, recording_peaks__isnull=True).update(recording_peaks=call.recording_peaks)
    return call


def recording_accessed(*, call: CallRecord, actor: User, request: HttpRequest | None, download: bool) -> None:
    audit_record(
        team=call.team, actor=actor, action="calls.recording_download" if download else "calls.recording_play",
        target=call, request=request,
    )  # fmt: skip


def calls_exported(*, team: Team, actor: User, request: HttpRequest | None, file_format: str, filters: dict) -> None:
    audit_record(team=team, actor=actor, action="calls.export", request=request, format=file_format, filters=filters)


# --- live calls and disconnect ----------------------------------------------


@dataclass
class DisconnectResult:
    ok: bool
    message: str


def call_disconnect(
    *, account: ProviderAccount, call_id: int, actor: User, request: HttpRequest | None = None
) -> DisconnectResult:
    """Cuts one live call, once (never retried), and leaves an audit event whatever happened."""
    client = client_for(account, PASIFIK)
    try:
        client.tel_live_disconnect(id=call_id)
    except NotFound:
        result = DisconnectResult(False, _("The call had already ended."))
        outcome = "already_ended"
    except ProviderUnavailable as exc:
        outcome = "unknown" if exc.request_sent else "failed"
        text = (
            _("The provider did not confirm the disconnect. Check whether the call is still in the list.")
            if exc.request_sent
            else describe(exc)
        )
        result = DisconnectResult(False, text)
    except ProviderError as exc:
        result = DisconnectResult(False, describe(exc))
        outcome = "failed"
    else:
        result = DisconnectResult(True, _("The call was disconnected."))
        outcome = "disconnected"
    audit_record(
        team=account.team, actor=actor, action="calls.disconnect", target=account, request=request,
        call_id=call_id, outcome=outcome,
    )  # fmt: skip
    return result


@dataclass
class AccountStatus:
    """One account's part of the live or PBX page: fresh data, or the last known data marked stale."""

    account: ProviderAccount
    data: dict[str, Any]
    fetched_at: datetime | None
    stale: bool = False
    error: str = ""


def _snapshot(account: ProviderAccount, kind: str, fetch: Any, now: datetime) -> AccountStatus:
    try:
        data = fetch()
    except ProviderError as exc:
        logger.info("%s status of %s failed: %s", kind, account.pk, exc)
        previous = StatusSnapshot.objects.filter(account=account, kind=kind).first()
        return AccountStatus(
            account=account,
            data=previous.data if previous else {},
            fetched_at=previous.fetched_at if previous else None,
            stale=True,
            error=pbx_state_message(exc) or describe(exc),
        )
    StatusSnapshot.objects.update_or_create(
        account=account, kind=kind, defaults={"team": account.team, "data": data, "fetched_at": now}
    )
    return AccountStatus(account=account, data=data, fetched_at=now)


@dataclass
class LiveStatus:
    """One account on the live page: its telephone calls and its PBX channels, each fresh or stale on its own."""

    account: ProviderAccount
    telephone: AccountStatus
    pbx: AccountStatus

    @property
    def stale(self) -> bool:
        return self.telephone.stale or self.pbx.stale


def live_calls_status(*, team: Team, now: datetime | None = None) -> list[LiveStatus]:
    """Telephone live calls of every telephone id, and the PBX's active channels, per account."""
    now = now or timezone.now()
    statuses = []
    for account in calls_accounts(team):
        client = client_for(account, PASIFIK, quick=True)
        ids = telephone_ids(account)

        def telephone(client: Any = client, ids: list[int] = ids) -> dict[str, Any]:
            return {"calls": live_calls_data(client.tel_live(i_account_list=ids)) if ids else []}

        def pbx(client: Any = client) -> dict[str, Any]:
            return active_calls_data(client.pbx_active_calls())

        statuses.append(
            LiveStatus(
                account=account,
                telephone=_snapshot(account, StatusSnapshot.Kind.LIVE, telephone, now),
                pbx=_snapshot(account, StatusSnapshot.Kind.ACTIVE, pbx, now),
            )
        )
    return statuses


def pbx_status(*, team: Team, now: datetime | None = None) -> list[AccountStatus]:
    """SIP peers, extensions (without their secrets) and active calls of each Pasifik account's PBX."""
    now = now or timezone.now()

    def fetch(account: ProviderAccount) -> Any:
        def run() -> dict[str, Any]:
            client = client_for(account, PASIFIK, quick=True)
            return {
                "peers": peers_data(client.pbx_sip_peers()),
                "extensions": extensions_data(client.pbx_sip_extensions()),
                "active": active_calls_data(client.pbx_active_calls()),
            }

        return run

    return [_snapshot(account, StatusSnapshot.Kind.PBX, fetch(account), now) for account in calls_accounts(team)]


def pbx_state_message(exc: ProviderError) -> str:
    """The document's PBX state table in words; empty when the error is not a PBX state."""
    for code, text in PBX_MESSAGES.items():
        if exc.message == text and exc.status_code == code:
            return str(PBX_STATE_TEXT[code])
    return ""
