"""Contact files: checked before any row is read, imported in batches, every left-out row reported.

A file is refused up front when it is larger than ``UPLOAD_MAX_BYTES``, has more
than ``UPLOAD_MAX_ROWS`` rows, or cannot be read (encoding, NUL bytes, no
header). Otherwise it is stored and an import job reads it: in the request for
a small file, in the worker for a large one, with its progress on the page.
Contacts are written ``BATCH`` rows at a time (bulk insert and update), each
batch in its own transaction, so a 100,000-row file neither holds a web worker
nor one long transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import Team, User
from core.phones import PhoneNumberError

from ..imports import FileError, Table, describe_file_error, read_table, upload_limit_mb
from ..models import Contact, ContactGroup, ContactImport
from ..numbers import parse_number

FOLDER = "contact-imports"
BATCH = 1000
STALE = timedelta(days=1)
NAME_MAX = Contact._meta.get_field("name").max_length

ROW_MESSAGES = {
    "empty": _("no phone number"),
    "not_a_number": _("“%(value)s” is not a phone number"),
    "invalid": _("“%(value)s” is not a valid phone number"),
}


def describe_row_error(error: dict[str, Any]) -> str:
    reason = str(ROW_MESSAGES.get(error.get("code", ""), ROW_MESSAGES["invalid"])) % error
    return str(_("Row %(row)s: %(reason)s")) % {"row": error.get("row"), "reason": reason}


def describe_job_file_error(job: ContactImport) -> str:
    if not job.file_error:
        return ""
    return describe_file_error(job.file_error.get("code", ""), job.file_error.get("params", {}))


@dataclass
class Row:
    number: int
    phone: str
    name: str
    fields: dict[str, str]


def _rows(table: Table) -> Iterator[Row]:
    name_column = table.headers[table.name_column] if table.name_column is not None else None
    phone_column = table.headers[table.phone_column]
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(table.headers)}
        name = values.pop(name_column, "") if name_column else ""
        phone = values.pop(phone_column, "")
        yield Row(number, phone, name, {k: v for k, v in values.items() if v})


def contact_import_start(
    *, team: Team, actor: User, name: str, data: bytes, group: ContactGroup | None = None
) -> ContactImport:
    """Checks the file (size, rows, encoding, header) and stores it as a queued import.

    Raises ``FileError`` before anything is stored when the file cannot be imported.
    """
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise FileError("too_big", limit=upload_limit_mb())
    table = read_table(name, data)  # reads the header and checks size, encoding and NUL bytes
    path = default_storage.save(f"{FOLDER}/{team.pk}/{uuid.uuid4().hex}", ContentFile(data))
    return ContactImport.objects.create(
        team=team,
        created_by=actor,
        group=group,
        file_name=name[:200],
        path=path,
        total_rows=table.row_estimate,
    )


def contact_import_queue(job: ContactImport) -> None:
    """Hands a stored import to the worker; if the broker is down it stays queued for ``contact_imports_resume``."""
    from ..tasks import contact_import_task

    contact_import_task.delay_on_commit(job.pk)


def contact_imports_resume() -> int:
    """Imports still waiting for the worker a while after upload (their queuing failed, or the message was
    lost) are queued again; the claim in ``contact_import_run`` makes a second delivery harmless."""
    waiting = ContactImport.objects.filter(
        state=ContactImport.State.QUEUED,
        created_at__lt=timezone.now() - timedelta(seconds=settings.SEND_STALL_SECONDS),
        created_at__gte=timezone.now() - STALE,
    ).values_list("pk", flat=True)
    from ..tasks import contact_import_task

    count = 0
    for pk in waiting:
        contact_import_task.delay(pk)
        count += 1
    return count


def runs_inline(job: ContactImport) -> bool:
    return job.total_rows is not None and job.total_rows <= settings.UPLOAD_INLINE_ROWS


def contact_import_run(*, job_id: int) -> str:
    """Reads the stored file of an import and writes its contacts, batch by batch."""
    claimed = ContactImport.objects.filter(pk=job_id, state=ContactImport.State.QUEUED).update(
        state=ContactImport.State.RUNNING
    )
    if not claimed:
        return "not queued"
    job = ContactImport.objects.select_related("team", "group", "created_by").get(pk=job_id)
    try:
        with default_storage.open(job.path, "rb") as handle:
            table = read_table(job.file_name, handle.read())
        _import(job, table)
    except FileError as exc:
        job.file_error = {"code": exc.code, "params": exc.params}
        job.state = ContactImport.State.FAILED
    else:
        job.state = ContactImport.State.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file_error", "state", "finished_at"])
    default_storage.delete(job.path)
    audit_record(
        team=job.team,
        actor=job.created_by,
        action="sms.contacts_import",
        target=job,
        created=job.created,
        updated=job.updated,
        errors=job.error_count,
    )
    return f"{job.state}: {job.created} new, {job.updated} updated, {job.error_count} left out"


def contact_imports_expire() -> int:
    """Imports no worker finished within ``STALE`` (none running, or its child died): their file goes,
    and their page says they stopped. Returns how many."""
    stale = ContactImport.objects.filter(
        state__in=(ContactImport.State.QUEUED, ContactImport.State.RUNNING), created_at__lt=timezone.now() - STALE
    )
    count = 0
    for job in stale:
        if job.path:
            default_storage.delete(job.path)
        count += ContactImport.objects.filter(pk=job.pk, state=job.state).update(
            state=ContactImport.State.FAILED, file_error={"code": "expired", "params": {}}, finished_at=timezone.now()
        )
    return count


def _import(job: ContactImport, table: Table) -> None:
    seen: set[str] = set()
    batch: dict[str, Row] = {}
    try:
        _read(job, table, seen, batch)
    except FileError:
        _write(job, batch)  # the rows before the damaged one are kept, as the message says
        raise
    _write(job, batch)


def _read(job: ContactImport, table: Table, seen: set[str], batch: dict[str, Row]) -> None:
    for row in _rows(table):
        job.processed_rows += 1
        try:
            number = parse_number(row.phone)
        except PhoneNumberError as exc:
            _left_out(job, {"row": row.number, "code": exc.code, "value": str(row.phone)[:40]})
            continue
        if number.e164 in seen:
            job.duplicates += 1
            continue
        seen.add(number.e164)
        batch[number.e164] = row
        if len(batch) >= BATCH:
            _write(job, batch)
            batch.clear()


def _left_out(job: ContactImport, error: dict[str, Any]) -> None:
    job.error_count += 1
    if len(job.errors) < ContactImport.MAX_ERRORS_KEPT:
        job.errors.append(error)


@transaction.atomic
def _write(job: ContactImport, batch: dict[str, Row]) -> None:
    """Creates the new numbers and updates the known ones of one batch, then records the progress."""
    team = job.team
    existing = {c.phone: c for c in team.contacts.filter(phone__in=list(batch))}
    new = [
        Contact(team=team, phone=phone, name=row.name[:NAME_MAX], fields=row.fields)
        for phone, row in batch.items()
        if phone not in existing
    ]
    for phone, contact in existing.items():
        row = batch[phone]
        contact.name = row.name[:NAME_MAX] or contact.name
        contact.fields = {**contact.fields, **row.fields}
    # ignore_conflicts: a contact added by hand meanwhile stays as it is.
    Contact.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    Contact.objects.bulk_update(list(existing.values()), ["name", "fields"], batch_size=500)
    if job.group_id:
        ids = team.contacts.filter(phone__in=list(batch)).values_list("pk", flat=True)
        Membership = Contact.groups.through
        Membership.objects.bulk_create(
            [Membership(contact_id=pk, contactgroup_id=job.group_id) for pk in ids], ignore_conflicts=True
        )
    job.created += len(new)
    job.updated += len(existing)
    ContactImport.objects.filter(pk=job.pk).update(
        processed_rows=job.processed_rows,
        created=job.created,
        updated=job.updated,
        duplicates=job.duplicates,
        error_count=job.error_count,
        errors=job.errors,
    )
