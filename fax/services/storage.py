"""The stored files behind drafts and fax documents: uploads, renditions, documents the provider gave."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Team
from accounts.team_files import TeamFiles
from core.stored_files import StoredFileResponse, stored_file_response
from providers.files import EXTENSIONS, PDF, TIFF, sniff_media_type

from .. import documents as docs
from ..gateways import Document
from ..models import CoverTemplate, Fax, FaxDocument, FaxDraft

StoredFile = dict[str, Any]
"""``{"path", "filename", "media_type", "size", "pages"}``: a file kept in storage (``FaxDraft.files``)."""


def store_file(content: bytes, filename: str, media_type: str, pages: int | None) -> StoredFile:
    path = default_storage.save(
        f"fax/drafts/{timezone.now():%Y/%m}/{filename[-80:] or 'document'}", ContentFile(content)
    )
    return {"path": path, "filename": filename, "media_type": media_type, "size": len(content), "pages": pages}


def read_stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        content: bytes = handle.read()
    return content


def read_document(document: FaxDocument) -> bytes:
    return read_stored(document.file.name or "")


def attach(fax: Fax, role: str, stored: StoredFile, position: int) -> FaxDocument:
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


def as_stored(document: FaxDocument) -> StoredFile:
    return {
        "path": document.file.name,
        "filename": document.filename,
        "media_type": document.media_type,
        "size": document.size,
        "pages": document.pages,
    }


def save_document(fax: Fax, role: str, document: Document) -> FaxDocument:
    """Keeps a document the provider gave, named and typed by its content."""
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
    stem = _UNSAFE.sub("-", _stem(base)).strip(".-_")[:60]
    return _with_extension(stem or fallback, media_type)


def document_response(document: FaxDocument, *, range_header: str | None) -> StoredFileResponse:
    """The stored document as a download, for a request already allowed to see its fax."""
    filename = document_filename(document)
    return stored_file_response(
        document.file.name or "",
        range_header=range_header,
        content_type=document.media_type,
        filename=filename,
        fallback_name=f"fax-{document.fax_id}.{filename.rsplit('.', 1)[-1]}",
        attachment=True,
    )


def document_filename(document: FaxDocument, *, media_type: str = "") -> str:
    """The name a document downloads under, with the extension of ``media_type`` (its own by default)."""
    return _with_extension(_stem(document.filename) or "fax", media_type or document.media_type)


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


def _with_extension(stem: str, media_type: str) -> str:
    return f"{stem}.{EXTENSIONS.get(media_type, 'bin')}"


def _draft_paths(drafts: Any) -> set[str]:
    paths: set[str] = set()
    for files, rendition, renditions in drafts.values_list("files", "rendition", "renditions"):
        paths.update(f.get("path") or "" for f in files or [])
        paths.add((rendition or {}).get("path") or "")
        paths.update(r.get("path") or "" for r in (renditions or {}).values())
    paths.discard("")
    return paths


def team_stored_files(team: Team) -> TeamFiles:
    """Every stored file of the team's faxes and drafts (uploads, previews, sent and received documents).

    They sit in shared dated folders, so they are found from the rows; a file another team's
    row also names (never expected: a file is shared only within a team) is left alone.
    """
    paths = {name for name in FaxDocument.objects.filter(fax__team=team).values_list("file", flat=True) if name}
    paths |= _draft_paths(FaxDraft.objects.filter(team=team))
    paths |= {p for p in CoverTemplate.objects.filter(team=team).values_list("logo_path", flat=True) if p}
    elsewhere = set(
        FaxDocument.objects.filter(file__in=paths).exclude(fax__team=team).values_list("file", flat=True)
    ) | _draft_paths(FaxDraft.objects.exclude(team=team))
    return TeamFiles(paths=paths - elsewhere)
