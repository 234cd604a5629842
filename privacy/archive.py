"""One ZIP of everything a team holds about a number: a CSV per kind and the stored files.

Recordings not fetched from the provider yet are listed without a file (a page never waits on a provider).
"""

from __future__ import annotations

import tempfile
from typing import IO

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import ArchiveWriter, json_text
from fax.models import FaxDocument
from telephony.models import CallRecord

from .findings import Findings


def _copy(archive: ArchiveWriter, stored_name: str, archived_name: str) -> str:
    """Copies a stored file into the archive: its name there, or "" when storage no longer has it."""
    try:
        with default_storage.open(stored_name, "rb") as source:
            archive.add_file(archived_name, source)
    except FileNotFoundError:
        return ""
    return archived_name


def _recording_name(call: CallRecord) -> str:
    return f"recordings/call-{call.pk}.wav"


def _document_name(document: FaxDocument) -> str:
    return f"faxes/fax-{document.fax_id}-{document.role}-{document.pk}-{document.filename}"


def archive_write(findings: Findings) -> IO[bytes]:
    """The archive in a temporary file (on disk, not in memory), positioned at its start."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with ArchiveWriter(out, timezone.get_current_timezone()) as archive:
        calls = []
        for call in findings.calls.iterator():
            archived = _copy(archive, call.recording.name, _recording_name(call)) if call.recording.name else ""
            calls.append(
                [call.pk, call.start, call.caller, call.callee, call.get_direction_display(),
                 call.get_disposition_display(), call.duration, call.cost, call.has_recording, archived]
            )  # fmt: skip
        archive.add_csv(
            "calls.csv",
            [_("Id"), _("Start"), _("Caller"), _("Callee"), _("Direction"), _("Result"), _("Duration (s)"), _("Cost"),
             _("Recorded"), _("Recording in this archive")],
            calls,
        )  # fmt: skip
        archive.add_csv(
            "sms_recipients.csv",
            [_("SMS batch"), _("Created"), _("Sender"), _("Number"), _("Name"), _("Text"), _("State"),
             _("Last update")],
            (
                [r.batch_id, r.batch.created_at, r.batch.sender, r.phone, r.name, r.message, r.get_state_display(),
                 r.last_update]
                for r in findings.sms_recipients.iterator()
            ),
        )  # fmt: skip
        archive.add_csv(
            "contacts.csv",
            [_("Name"), _("Number"), _("Groups"), _("Other fields"), _("Created")],
            (
                [c.name, c.phone, ", ".join(g.name for g in c.groups.all()), json_text(c.fields), c.created_at]
                for c in findings.contacts
            ),
        )
        archive.add_csv(
            "opt_outs.csv",
            [_("Number"), _("Reason"), _("Created")],
            ([o.phone, o.reason, o.created_at] for o in findings.opt_outs),
        )
        faxes = []
        for fax in findings.faxes:
            documents = [_copy(archive, d.file.name, _document_name(d)) for d in fax.documents.all() if d.file.name]
            faxes.append(
                [fax.pk, fax.created_at, fax.get_direction_display(), fax.get_status_display(), fax.our_number,
                 fax.remote_number, fax.pages, " ".join(d for d in documents if d)]
            )  # fmt: skip
        archive.add_csv(
            "faxes.csv",
            [_("Id"), _("Created"), _("Direction"), _("Status"), _("Our number"), _("Remote number"), _("Pages"),
             _("Documents in this archive")],
            faxes,
        )  # fmt: skip
    out.seek(0)
    return out
