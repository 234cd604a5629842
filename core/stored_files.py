"""Stored media (default_storage: a local folder or an S3-compatible bucket) answered to the browser.

Every view that hands a recording, a fax document or an export to the browser checks permissions first,
then calls ``stored_file_response``. It streams the file through the portal with HTTP Range (RFC 9110,
single ranges) so audio players can seek, reading only the asked bytes (on S3 a ranged GET, never the
whole object); or, with ``MEDIA_SERVE=presign``, redirects to a presigned URL that lives
``MEDIA_PRESIGN_SECONDS``. The bucket stays private either way. No code here opens a local path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_UNSAFE_NAME = re.compile(r"[^\w.\- ]")

StoredFileResponse = HttpResponse | StreamingHttpResponse | HttpResponseRedirect


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


def _is_s3(storage: Storage) -> bool:
    return hasattr(storage, "bucket") and hasattr(storage, "_normalize_name")


def _s3_key(storage: Any, name: str) -> str:
    from storages.utils import clean_name

    key: str = storage._normalize_name(clean_name(name))
    return key


def stored_chunks(name: str, first: int, length: int, storage: Storage | None = None) -> Iterator[bytes]:
    """``length`` bytes of the stored file from byte ``first``, a chunk at a time.

    On S3 one GET with ``Range: bytes=first-last``: django-storages' file object would download the whole
    object before its first read, an hour-long recording for a seek near its end.
    """
    storage = storage or default_storage
    if length <= 0:
        return
    if _is_s3(storage):
        answer = storage.bucket.Object(_s3_key(storage, name)).get(  # type: ignore[attr-defined]
            Range=f"bytes={first}-{first + length - 1}"
        )
        body = answer["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as handle:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def stored_size(name: str) -> int | None:
    """The stored file's size in bytes, None when storage has no such file."""
    try:
        return default_storage.size(name)
    except OSError:  # FileNotFoundError, from the disk or from django-storages for a missing key
        return None


def stored_listdir(folder: str) -> tuple[list[str], list[str]]:
    """(folders, files) directly under ``folder``; both empty when there is none.

    Never ask ``exists(folder)`` first: a bucket has keys, not folders, so S3 says no folder exists.
    """
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return [], []
    return list(folders), list(files)


def _presigned_redirect(name: str, *, content_type: str, disposition: str) -> HttpResponseRedirect:
    # The bucket answers with our type and disposition (so a download keeps its name), signed with the URL.
    s3_storage: Any = default_storage  # django-storages' url() takes what Django's Storage.url() does not
    url = s3_storage.url(
        name,
        parameters={"ResponseContentType": content_type, "ResponseContentDisposition": disposition},
        expire=settings.MEDIA_PRESIGN_SECONDS,
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"  # the URL is a short-lived credential
    return response


def stored_file_response(
    name: str,
    *,
    range_header: str | None,
    content_type: str,
    filename: str,
    fallback_name: str,
    attachment: bool,
) -> StoredFileResponse:
    """The stored file ``name`` for a request the caller has already authorised (404 when storage lacks it)."""
    if not name:
        raise Http404
    served_as = download_name(filename, fallback_name)
    size = stored_size(name)
    if size is None:
        raise Http404
    if settings.MEDIA_SERVE == "presign":
        # None only for an inline file without a name, which is what "inline" says.
        disposition = content_disposition_header(attachment, served_as) or "inline"
        return _presigned_redirect(name, content_type=content_type, disposition=disposition)
    try:
        wanted = parse_range(range_header, size)
    except Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(last - first + 1, 0)
    response = StreamingHttpResponse(stored_chunks(name, first, length), content_type=content_type)
    if wanted is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = content_disposition_header(attachment, served_as) or "inline"
    return response
