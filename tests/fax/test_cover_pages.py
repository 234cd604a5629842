"""Cover pages: drawn for each recipient, transmitted as page 1 (page count + 1), readable, in the chosen language."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from fax.cover_page import CoverFields, CoverLayout, cover_png
from fax.documents import FAX_WIDTH
from fax.models import CoverTemplate, FaxDocument
from fax.services import cover, drafts
from tests.fax.helpers import draft_on, send
from tests.fax.ocr import page_text, require_tesseract

pytestmark = pytest.mark.django_db

RECIPIENT = "902125550123"
SECOND = "902125550124"


def transmitted(fax) -> bytes:
    document = fax.documents.get(role=FaxDocument.Role.TRANSMITTED)
    with document.file.open("rb") as handle:
        return handle.read()


def frames(tiff: bytes) -> int:
    with Image.open(io.BytesIO(tiff)) as image:
        return image.n_frames


@pytest.fixture
def template(team_a, alice) -> CoverTemplate:
    return cover.cover_template_save(
        team=team_a,
        actor=alice,
        name="Standart",
        language="tr",
        shown_fields=["to", "from", "our_number", "date", "pages", "subject", "note"],
        header="Örnek Şirketi A.Ş.",
        footer="Bu faks gizlidir.",
    )


def test_the_cover_is_page_one_of_the_tiff_the_sandbox_receives_and_reads_back(
    team_a, alice, template, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    languages = require_tesseract()
    account = sandbox_account(team_a, "pasifik")
    choice = cover.CoverChoice(
        template=template,
        subject="Teklif Mektubu",
        note="Lütfen imzalayıp geri gönderin.",
        from_name="Satış Ekibi",
        to_names={RECIPIENT: "Ayşe Yılmaz"},
    )
    body = draft_on(account, recipients=[RECIPIENT], user=alice, quality="fine")  # the same files without a cover
    with_cover = drafts.draft_create(
        team=team_a, actor=alice, account=account, our_number=body.our_number, recipients=[RECIPIENT],
        quality="fine", scheduled_at=None, uploads=[], reuse_files=body.files, cover=choice,
    )  # fmt: skip
    drafts.draft_render(draft_id=with_cover.pk)
    with_cover.refresh_from_db()
    assert with_cover.pages == body.pages + 1 == 3

    with django_capture_on_commit_callbacks(execute=True):
        [fax] = drafts.draft_confirm(draft=with_cover, actor=alice)
    fax.refresh_from_db()
    tiff = transmitted(fax)
    assert fax.pages == 3 and frames(tiff) == 3
    [upload] = [
        f
        for r in sandbox.requests
        if r.method == "POST" and r.path.rstrip("/").endswith("upload")
        for f in r.files.values()
    ]
    assert upload["content"] == tiff and frames(upload["content"]) == 3
    with Image.open(io.BytesIO(tiff)) as image:
        assert (image.width, tuple(round(v) for v in image.info["dpi"])) == (FAX_WIDTH, (204, 196))

    text = page_text(tiff, page=1, languages=languages)
    assert "Teklif Mektubu" in text
    assert "Ayşe Yılmaz" in text if languages.startswith("tur") else "Ay" in text and "lmaz" in text
    assert "Konu" in text  # the template's labels are Turkish: "Subject" reads "Konu"
    assert "Teklif Mektubu" not in page_text(tiff, page=2, languages=languages)


def test_each_recipient_gets_a_cover_with_their_own_name(
    team_a, alice, template, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    languages = require_tesseract()
    account = sandbox_account(team_a, "pasifik")
    choice = cover.CoverChoice(template=template, subject="Fiyat", to_names={RECIPIENT: "Mehmet Kaya"})
    draft = drafts.draft_create(
        team=team_a, actor=alice, account=account, our_number=account.options["fax_numbers"][0],
        recipients=[RECIPIENT, SECOND],
        quality="fine", scheduled_at=None, uploads=[drafts.Upload("a.pdf", _pdf(), "application/pdf", 2)],
        cover=choice,
    )  # fmt: skip
    drafts.draft_render(draft_id=draft.pk)
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        faxes = {f.remote_number: f for f in drafts.draft_confirm(draft=draft, actor=alice)}

    first, second = transmitted(faxes[RECIPIENT]), transmitted(faxes[SECOND])
    assert frames(first) == frames(second) == 3
    assert "Mehmet Kaya" in page_text(first, languages=languages)
    assert "Mehmet" not in page_text(second, languages=languages)
    assert "902125550124" in page_text(second, languages=languages).replace(" ", "").replace("+", "")  # no name


def test_a_pdf_provider_gets_the_cover_as_the_first_pdf_page(
    team_a, alice, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    import pypdfium2 as pdfium

    from sandbox.management.commands.demo_setup import sandbox_options

    account = sandbox_account(team_a, "pasifik", options={**sandbox_options("pasifik"), "fax_format": "pdf"})
    choice = cover.CoverChoice(subject="Sipariş", language="tr")
    draft = drafts.draft_create(
        team=team_a, actor=alice, account=account, our_number=(account.options or {})["fax_numbers"][0],
        recipients=[RECIPIENT], quality="fine", scheduled_at=None,
        uploads=[drafts.Upload("a.pdf", _pdf(), "application/pdf", 2)], cover=choice,
    )  # fmt: skip
    drafts.draft_render(draft_id=draft.pk)
    draft.refresh_from_db()
    assert draft.rendition["media_type"] == "application/pdf"
    pdf = pdfium.PdfDocument(default_storage.open(draft.rendition["path"]).read())
    assert len(pdf) == draft.pages == 3
    width, _height = pdf.get_page_size(0)
    assert round(width / 72 * 204) == FAX_WIDTH  # the cover at the fax line's true size


def test_without_a_cover_nothing_is_added(team_a, alice, sandbox_account, sandbox, django_capture_on_commit_callbacks):
    account = sandbox_account(team_a, "pasifik")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[RECIPIENT], user=alice)
    assert frames(transmitted(fax)) == 2 and fax.pages == 2


def test_the_labels_follow_the_cover_language_and_the_date_the_team_zone() -> None:
    languages = require_tesseract()
    when = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)  # 2 March 00:30 in Istanbul
    fields = CoverFields(to_name="Şule Öztürk", subject="Rapor", when=when, pages=4, language="en")
    from zoneinfo import ZoneInfo

    png = cover_png(CoverLayout(), fields, zone=ZoneInfo("Europe/Istanbul"))
    tiff = _as_tiff(png)
    english = page_text(tiff, languages=languages)
    assert "Subject" in english and "Pages" in english and "2026-03-02 00:30" in english
    turkish = page_text(_as_tiff(cover_png(CoverLayout(), _with(fields, language="tr"), zone=ZoneInfo("UTC"))))
    assert "Konu" in turkish and "01.03.2026 21:30" in turkish


def test_a_cover_cannot_go_with_office_files(team_a, alice, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "telphin")
    draft = drafts.draft_create(
        team=team_a, actor=alice, account=account, our_number="",
        recipients=[RECIPIENT], quality="fine", scheduled_at=None,
        uploads=[drafts.Upload("a.docx", b"PK\x03\x04word/", "application/zip", None)],
        cover=cover.CoverChoice(subject="x"),
    )  # fmt: skip
    drafts.draft_render(draft_id=draft.pk)
    draft.refresh_from_db()
    assert "Word or Excel" in draft.render_error_text and not draft.rendition


def test_a_logo_is_read_by_its_content_and_stored_as_png(team_a, alice) -> None:
    logo = io.BytesIO()
    Image.new("RGBA", (900, 300), (200, 0, 0, 128)).save(logo, format="PNG")
    template = cover.cover_template_save(
        team=team_a, actor=alice, name="Logolu", language="en", shown_fields=["to"], logo=logo.getvalue()
    )
    with default_storage.open(template.logo_path) as handle, Image.open(handle) as stored:
        assert (stored.format, stored.mode) == ("PNG", "L")
    with pytest.raises(cover.LogoError):
        cover.logo_png(b"%PDF-1.4 not an image")
    assert cover.template_layout(template).logo is not None


def _pdf() -> bytes:
    from tests.fax.factories import two_page_pdf

    return two_page_pdf()


def _with(fields: CoverFields, **changes: object) -> CoverFields:
    return CoverFields(**{**fields.__dict__, **changes})


def _as_tiff(png: bytes) -> bytes:
    from fax.documents import fax_tiff

    content, _pages = fax_tiff([(png, "image/png")], quality="fine")
    return content
