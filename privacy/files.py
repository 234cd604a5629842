"""Stored files deleted only after the transaction that let go of them has committed (``FileToDelete``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.storage import default_storage

from fax.models import FaxDocument
from telephony.models import CallRecord

from .models import FileToDelete

log = logging.getLogger(__name__)


def files_forget(names: Iterable[str]) -> int:
    """Inside the transaction that deletes or blanks the rows: remember their files for after the commit."""
    pending = [FileToDelete(name=name) for name in dict.fromkeys(n for n in names if n)]
    FileToDelete.objects.bulk_create(pending)
    return len(pending)


def _still_used(name: str) -> bool:
    # One uploaded file serves every recipient and every resend of a fax: it goes with its last document.
    return FaxDocument.objects.filter(file=name).exists() or CallRecord.objects.filter(recording=name).exists()


def files_delete_pending() -> int:
    """Deletes the remembered files from storage (those no row uses any more); resumes an interrupted run."""
    deleted = 0
    for pending in FileToDelete.objects.order_by("pk").iterator():
        if not _still_used(pending.name):
            try:
                default_storage.delete(pending.name)  # a file already gone is no error
            except OSError:
                log.exception("could not delete the stored file %s; kept for the next run", pending.name)
                continue
            deleted += 1
        pending.delete()
    return deleted
