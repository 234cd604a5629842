"""What the clients share about files: media types by content, and the one download type.

Fax providers accept a few file types and say so by extension; we decide by the
first bytes of the content instead, because a file name can lie.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message
from pathlib import PurePosixPath
from typing import IO

import requests

from .errors import ProviderUnavailable

PDF = "application/pdf"
TIFF = "image/tiff"
PNG = "image/png"
JPEG = "image/jpeg"
BMP = "image/bmp"
OLE = "application/x-ole-storage"  # .doc, .xls
ZIP = "application/zip"  # .docx, .xlsx (Office Open XML)
OCTET_STREAM = "application/octet-stream"
CHUNK_SIZE = 64 * 1024

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", PDF),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"BM", BMP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
    (b"PK\x03\x04", ZIP),
]

EXTENSIONS = {PDF: "pdf", TIFF: "tif", PNG: "png", JPEG: "jpg", BMP: "bmp", OLE: "doc", ZIP: "docx"}


def sniff_media_type(content: bytes) -> str | None:
    """The media type the content's magic bytes announce, or None when unknown."""
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    return None


class Download:
    """A file streamed from a provider: iterate it, ``read()`` it whole or ``write_to`` a file; then close.

    The body is read chunk by chunk as it is consumed and never held whole in memory, and it can be
    consumed once. The HTTP connection stays open until the body is consumed or ``close()`` is
    called: use it as a context manager. A connection that breaks off mid-body raises
    ProviderUnavailable (the file is incomplete), never a bare ``requests`` error.
    """

    def __init__(self, response: requests.Response, *, provider: str, fallback_name: str = "") -> None:
        self.filename = filename_from_disposition(response.headers.get("Content-Disposition", ""), fallback_name)
        self.content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip() or OCTET_STREAM
        length = response.headers.get("Content-Length", "").strip()
        self.size = int(length) if length.isdigit() else None
        self.provider = provider
        self._response = response
        self._consumed = False

    def __iter__(self) -> Iterator[bytes]:
        if self._consumed:
            raise RuntimeError("a download can be read only once")
        self._consumed = True
        try:
            for chunk in self._response.iter_content(CHUNK_SIZE):
                if chunk:
                    yield chunk
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                f"the download broke off: {type(exc).__name__}", request_sent=True, provider=self.provider
            ) from None
        finally:
            self.close()

    def read(self) -> bytes:
        return b"".join(self)

    def write_to(self, fileobj: IO[bytes]) -> int:
        """Copies the body into ``fileobj``; returns the number of bytes written."""
        written = 0
        for chunk in self:
            fileobj.write(chunk)
            written += len(chunk)
        return written

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> Download:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Download(filename={self.filename!r}, content_type={self.content_type!r}, size={self.size!r})"


def filename_from_disposition(header: str, fallback: str = "") -> str:
    """The file's base name from a Content-Disposition header, never a path; ``fallback`` when it names none.

    ``filename="a b.pdf"``, ``filename=a.pdf`` and RFC 5987's ``filename*=UTF-8''a%20b.pdf`` alike (the
    standard library's MIME parser reads them).
    """
    message = Message()
    message.add_header("Content-Disposition", header)  # read, never sent: a header is parsed as MIME reads it
    name = PurePosixPath((message.get_filename() or "").replace("\\", "/")).name.strip()
    return name or fallback
