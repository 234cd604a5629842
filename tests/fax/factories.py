"""Fax factories; ``TEAM_OBJECT_FACTORIES`` joins the URL × role × team access matrix."""

from __future__ import annotations

import io
import itertools
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from fax.models import CoverTemplate, Direction, Fax, FaxContact, FaxContactGroup, FaxDocument, FaxDraft, Status
from sandbox.media import pdf_bytes
from tests.factories import ProviderAccountFactory, TeamFactory


def two_page_pdf(title: str = "Contract") -> bytes:
    return pdf_bytes(title, ((f"{title}", "Page one", "Lorem ipsum"), (f"{title}", "Page two", "Dolor sit amet")))


def png_bytes(size: tuple[int, int] = (400, 300), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, "white")
    ImageDraw.Draw(image).text((20, 20), "Hello fax", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class FaxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fax

    team = factory.SubFactory(TeamFactory)
    account = factory.LazyAttribute(lambda o: ProviderAccountFactory(team=o.team, kind="telphin"))
    direction = Direction.OUTGOING
    status = Status.SENT
    our_number = "74957654321"
    remote_number = "902125550199"
    pages = 2


def fax_with_documents(team: Any, **fields: Any) -> Fax:
    fax = FaxFactory(team=team, **fields)
    original = FaxDocument(
        fax=fax, role=FaxDocument.Role.ORIGINAL, filename="contract.pdf", media_type="application/pdf", pages=2
    )
    content = two_page_pdf()
    original.size = len(content)
    original.file.save("contract.pdf", ContentFile(content), save=True)
    return fax


def draft_for(team: Any, **fields: Any) -> FaxDraft:
    from django.core.files.storage import default_storage

    from fax.services.drafts import render_transmitted

    account = fields.pop("account", None) or ProviderAccountFactory(
        team=team, kind="telphin", options={"fax_numbers": ["74957654321"]}
    )
    content = two_page_pdf()
    path = default_storage.save("fax/drafts/test.pdf", ContentFile(content))
    files = [{"path": path, "filename": "test.pdf", "media_type": "application/pdf", "size": len(content), "pages": 2}]
    draft = FaxDraft(
        team=team, account=account, our_number="74957654321", recipients=["902125550199"], files=files, **fields
    )
    draft.rendition = render_transmitted(account, files, draft.quality)
    draft.rendered_at = timezone.now()
    draft.save()
    return draft


_SERIAL = itertools.count(1)


def cover_template_for(team: Any, **fields: Any) -> CoverTemplate:
    values = {
        "name": f"Standard {next(_SERIAL)}",
        "language": "en",
        "shown_fields": ["to", "from", "subject"],
        **fields,
    }
    return CoverTemplate.objects.create(team=team, **values)


def fax_contact_for(team: Any, **fields: Any) -> FaxContact:
    values = {"name": "Ayşe Yılmaz", "company": "Örnek A.Ş.", "fax_number": "902125550123", **fields}
    return FaxContact.objects.create(team=team, **values)


TEAM_OBJECT_FACTORIES = {
    Fax: lambda team: fax_with_documents(team),
    FaxDraft: lambda team: draft_for(team),
    CoverTemplate: lambda team: cover_template_for(team),
    FaxContact: lambda team: fax_contact_for(team, name=f"Ayşe Yılmaz {next(_SERIAL)}"),
    FaxContactGroup: lambda team: FaxContactGroup.objects.create(team=team, name=f"Suppliers {next(_SERIAL)}"),
}
