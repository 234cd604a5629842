"""What the fax clients share about documents: media types by content, streamed downloads.

Fax providers accept a few file types and say so by extension; we decide by the
first bytes of the content instead, because a file name can lie.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import requests

PDF = "application/pdf"
TIFF = "image/tiff"
PNG = "image/png"
JPEG = "image/jpeg"
BMP = "image/bmp"
OLE = "application/x-ole-storage"  # .doc, .xls
ZIP = "application/zip"  # .docx, .xlsx (Office Open XML)

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


@dataclass
class StreamedDocument:
    """A document being downloaded: read it in chunks, save it, or read it whole.

    The HTTP connection stays open until the body is consumed or ``close()`` is
    called; use it as a context manager.
    """

    response: requests.Response
    content_type: str
    filename: str = ""

    def iter_bytes(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        try:
            yield from self.response.iter_content(chunk_size=chunk_size)
        finally:
            self.response.close()

    def save_to(self, fileobj: BinaryIO, chunk_size: int = 64 * 1024) -> int:
        """Writes the body to ``fileobj``; returns the number of bytes written."""
        size = 0
        for chunk in self.iter_bytes(chunk_size):
            fileobj.write(chunk)
            size += len(chunk)
        return size

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> StreamedDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def streamed_document(response: requests.Response, default_filename: str = "") -> StreamedDocument:
    content_type = (response.headers.get("Content-Type") or "application/octet-stream").split(";")[0].strip()
    filename = default_filename
    disposition = response.headers.get("Content-Disposition") or ""
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename" and value:
            filename = value.strip().strip('"')
    return StreamedDocument(response=response, content_type=content_type, filename=filename)
