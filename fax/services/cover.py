"""Cover pages: a team's templates (kept and audited here), and a cover drawn for each recipient and put
before the document a draft transmits, so the fax's page count includes it.

For other senders of faxes (email to fax): ``CoverChoice`` goes into ``drafts.draft_create(cover=…)``
and the draft's render does the rest; ``cover_page_png`` draws one page on its own.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.audit import audited_delete, audited_save
from accounts.models import Team, User
from providers.files import PDF, TIFF

from .. import documents as docs
from ..cover_page import FIELDS, LOGO_BOX, CoverFields, CoverLayout, cover_png, pdf_with_cover, tiff_with_cover
from ..models import CoverTemplate, FaxDraft
from .storage import StoredFile, read_stored, store_file

__all__ = [
    "FIELDS",
    "CoverChoice",
    "CoverFields",
    "CoverLayout",
    "LogoError",
    "cover_choice_of",
    "cover_page_png",
    "cover_template_delete",
    "cover_template_save",
    "covered_renditions",
    "logo_png",
    "template_layout",
]

LOGO_FOLDER = "fax/cover-logos"
LOGO_MAX_PIXELS = 25_000_000  # a source logo; bigger is a bomb or a scan of a poster
LOGO_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")


@dataclass(frozen=True)
class CoverChoice:
    """The cover a sender asked for. ``template`` None draws every field, no logo, in ``language``."""

    template: CoverTemplate | None = None
    subject: str = ""
    note: str = ""
    from_name: str = ""
    to_names: Mapping[str, str] = field(default_factory=dict)  # recipient digits -> name (from the address book)
    language: str = ""  # "" : the active language when the draft is made

    def stored(self) -> dict[str, Any]:
        """What ``FaxDraft.cover`` keeps."""
        return {
            "template": self.template.pk if self.template else None,
            "subject": self.subject,
            "note": self.note,
            "from_name": self.from_name,
            "to_names": dict(self.to_names),
            "language": self.language or translation.get_language() or "tr",
        }


def cover_choice_of(draft: FaxDraft) -> CoverChoice | None:
    """The draft's cover, its template read again from the team (one deleted meanwhile: the default layout)."""
    data = draft.cover or {}
    if not data:
        return None
    template_id = data.get("template")
    template = draft.team.fax_cover_templates.filter(pk=int(template_id)).first() if template_id else None
    return CoverChoice(
        template=template,
        subject=data.get("subject", ""),
        note=data.get("note", ""),
        from_name=data.get("from_name", ""),
        to_names=data.get("to_names") or {},
        language=data.get("language", ""),
    )


def template_layout(template: CoverTemplate | None) -> CoverLayout:
    if template is None:
        return CoverLayout()
    logo = read_stored(template.logo_path) if template.logo_path else None
    return CoverLayout(
        shown=tuple(k for k in FIELDS if k in (template.shown_fields or [])),
        header=template.header,
        footer=template.footer,
        logo=logo,
    )


def cover_page_png(*, team: Team, template: CoverTemplate | None, fields: CoverFields) -> bytes:
    """One cover page as a fax-ready PNG (1728 px wide, 204 dpi, A4 long), dates in the team's zone.

    ``fields.language`` names the labels' language; a template's own language wins when one is given.
    """
    if template is not None:
        fields = CoverFields(**{**fields.__dict__, "language": template.language})
    return cover_png(template_layout(template), fields, zone=team.tzinfo)


def covered_renditions(
    draft: FaxDraft, choice: CoverChoice, body: StoredFile, *, when: datetime | None = None
) -> dict[str, StoredFile]:
    """Each recipient's document: their own cover, then ``body`` (the draft's rendered TIFF or PDF)."""
    if not body:  # office files go as they are: nothing to put a page before
        raise docs.DocumentError("cover_with_office")
    content = read_stored(body["path"])
    pages = int(body.get("pages") or 0) + 1
    language = choice.template.language if choice.template else choice.language
    renditions: dict[str, StoredFile] = {}
    for number in draft.recipients:
        fields = CoverFields(
            to_name=choice.to_names.get(number, ""),
            to_number=number,
            from_name=choice.from_name,
            our_number=draft.our_number,
            subject=choice.subject,
            note=choice.note,
            when=when or draft.scheduled_at or timezone.now(),
            pages=pages,
            language=language,
        )
        cover = cover_page_png(team=draft.team, template=choice.template, fields=fields)
        if body["media_type"] == TIFF:
            covered = tiff_with_cover(cover, content, quality=draft.quality)
            renditions[number] = store_file(covered, "fax.tif", TIFF, pages)
        else:
            covered = pdf_with_cover(cover, content)
            renditions[number] = store_file(covered, "fax.pdf", PDF, pages)
    return renditions


class LogoError(ValueError):
    """An upload that is not an image we can draw; ``str()`` is the reason for the person."""


def logo_png(content: bytes) -> bytes:
    """The uploaded logo read by its content (Pillow), as a greyscale PNG at most twice the drawn size."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format not in LOGO_FORMATS:
                raise LogoError(_("The logo must be a PNG, JPEG, GIF, BMP or WebP image."))
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise LogoError(_("The logo image is too large."))
            image.load()
            picture: Image.Image = image
            if picture.mode in ("RGBA", "LA", "P", "PA"):
                picture = Image.alpha_composite(Image.new("RGBA", image.size, "white"), picture.convert("RGBA"))
            picture = picture.convert("L")
    except LogoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise LogoError(_("The logo is not an image, or it is damaged.")) from None
    picture.thumbnail((LOGO_BOX[0] * 2, LOGO_BOX[1] * 2), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def cover_template_save(
    *,
    team: Team,
    actor: User,
    name: str,
    language: str,
    shown_fields: Iterable[str],
    header: str = "",
    footer: str = "",
    logo: bytes | None = None,
    remove_logo: bool = False,
    template: CoverTemplate | None = None,
    request: HttpRequest | None = None,
) -> CoverTemplate:
    """Adds a template (``template`` None) or changes one; ``logo`` is an upload ``logo_png`` has not seen yet."""
    template = template if template is not None else CoverTemplate(team=team)
    old_logo = template.logo_path
    template.name, template.language, template.header, template.footer = name, language, header, footer
    template.shown_fields = [k for k in FIELDS if k in set(shown_fields)]
    if logo is not None:
        template.logo_path = default_storage.save(f"{LOGO_FOLDER}/{team.pk}/logo.png", ContentFile(logo_png(logo)))
    elif remove_logo:
        template.logo_path = ""
    audited_save(
        template,
        team=team,
        actor=actor,
        create="fax.cover_template_create",
        update="fax.cover_template_update",
        request=request,
    )
    if old_logo and old_logo != template.logo_path:
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    return template


@transaction.atomic
def cover_template_delete(*, template: CoverTemplate, actor: User, request: HttpRequest | None = None) -> None:
    logo = template.logo_path
    audited_delete(template, team=template.team, actor=actor, action="fax.cover_template_delete", request=request)
    if logo:
        transaction.on_commit(lambda: default_storage.delete(logo))
