"""HTTP Range (RFC 9110, single ranges) for files in Django storage, so audio players can seek."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

if TYPE_CHECKING:
    from .models import CallRecord

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_UNSAFE_NAME = re.compile(r"[^\w.\- ]")


def download_name(name: str, fallback: str) -> str:
    """A provider's file name as a download name: its base name if that is only letters, digits, ``.``, ``-``,
    ``_`` and spaces, else ``fallback``. Quotes, ``;`` and ``=`` could smuggle parameters into the header.
    """
    base = PurePosixPath(name.replace("\\", "/")).name.strip(" .")
    return base if base and len(base) <= 120 and not _UNSAFE_NAME.search(base) else fallback


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive, or None for the whole file; Unsatisfiable when no byte can be served.

    A header we cannot read (several ranges, another unit) is ignored, as the RFC allows: 200 with all.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # suffix: the last N bytes
        length = int(last_text)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        raise Unsatisfiable
    return first, min(last, size - 1)


def _read(fileobj: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        fileobj.seek(first)
        remaining = length
        while remaining > 0:
            chunk = fileobj.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fileobj.close()


def ranged_response(
    fileobj: IO[bytes],
    *,
    size: int,
    range_header: str | None,
    content_type: str,
    filename: str,
    fallback_name: str,
    attachment: bool,
) -> HttpResponse | StreamingHttpResponse:
    try:
        wanted = parse_range(range_header, size)
    except Unsatisfiable:
        fileobj.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(last - first + 1, 0)
    response = StreamingHttpResponse(_read(fileobj, first, length), content_type=content_type)
    if wanted is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    # None only for an inline file without a name, which is what "inline" says.
    name = download_name(filename, fallback_name)
    response["Content-Disposition"] = content_disposition_header(attachment, name) or "inline"
    return response


def recording_response(
    call: CallRecord, *, range_header: str | None, attachment: bool
) -> HttpResponse | StreamingHttpResponse:
    """A stored recording (``services.recording_fetch`` stored it) as a WAV answer that honours Range."""
    name = call.recording.name
    if not name:
        raise Http404
    return ranged_response(
        default_storage.open(name, "rb"),
        size=default_storage.size(name),
        range_header=range_header,
        content_type="audio/wav",
        filename=call.recording_name,
        fallback_name=f"call-{call.pk}.wav",
        attachment=attachment,
    )
