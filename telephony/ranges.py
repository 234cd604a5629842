"""A stored call recording as the browser's audio player wants it: WAV, with Range so it can seek."""

from __future__ import annotations

from django.http import Http404

from core.stored_files import StoredFileResponse, stored_file_response

from .models import CallRecord


def recording_response(call: CallRecord, *, range_header: str | None, attachment: bool) -> StoredFileResponse:
    """A stored recording (``services.recording_fetch`` stored it), after the caller checked permissions."""
    name = call.recording.name
    if not name:
        raise Http404
    return stored_file_response(
        name,
        range_header=range_header,
        content_type="audio/wav",
        filename=call.recording_name,
        fallback_name=f"call-{call.pk}.wav",
        attachment=attachment,
    )
