"""What a person sees on the fax pages: titles that say which fax, received faxes as PDF too, a confirmation
before a long fax, schedules bounded, fax options as choices."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from fax import documents as docs
from fax.models import Direction, Fax, FaxDocument, Status
from tests.fax.factories import FaxFactory, draft_for, png_bytes, two_page_pdf

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_page_titles_say_which_fax(alice_client, team_a) -> None:
    sent = FaxFactory(team=team_a, remote_number="902125550199")
    received = FaxFactory(
        team=team_a, direction=Direction.INCOMING, status=Status.RECEIVED, remote_number="902163334455"
    )
    draft = draft_for(team_a)

    assert _title(alice_client.get(reverse("fax-detail", args=[sent.pk])).content.decode()).startswith(
        f"Fax {sent.pk} to +90 212 555 01 99"
    )
    assert _title(alice_client.get(reverse("fax-detail", args=[received.pk])).content.decode()).startswith(
        f"Fax {received.pk} from +90 216 333 44 55"
    )
    assert _title(alice_client.get(reverse("fax-draft", args=[draft.pk])).content.decode()).startswith(
        "Preview of the fax to +90 212 555 01 99"
    )


def test_a_received_tiff_downloads_as_pdf_too(alice_client, team_a) -> None:
    fax = FaxFactory(team=team_a, direction=Direction.INCOMING, status=Status.RECEIVED)
    tiff, pages = docs.fax_tiff([(two_page_pdf(), docs.PDF), (png_bytes(), docs.PNG)], quality="normal")
    document = FaxDocument(fax=fax, role=FaxDocument.Role.RECEIVED, filename="fax-77.tif", media_type=docs.TIFF)
    document.size = len(tiff)
    document.file.save("fax-77.tif", ContentFile(tiff), save=True)

    page = alice_client.get(reverse("fax-detail", args=[fax.pk])).content.decode()
    assert 'data-testid="received-pdf"' in page
    response = alice_client.get(reverse("fax-document", args=[fax.pk]) + "?role=received&n=0&as=pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="fax-77.pdf"' in response["Content-Disposition"]
    pdf = pdfium.PdfDocument(b"".join(response.streaming_content))
    assert len(pdf) == pages == 3
    width, height = pdf[0].get_size()  # 204×98 dpi pixels at their true size: an A4-like page, not a squashed one
    assert 590 < width < 625 and 780 < height < 860


def test_a_long_fax_asks_for_a_confirmation_first(alice_client, team_a, settings) -> None:
    settings.FAX_CONFIRM_PAGES = 2
    draft = draft_for(team_a)  # two pages

    preview = alice_client.get(reverse("fax-draft", args=[draft.pk])).content.decode()
    assert 'data-testid="long-fax-warning"' in preview and "This fax has 2 pages." in preview

    refused = alice_client.post(reverse("fax-draft", args=[draft.pk]), follow=True)
    assert "confirm that you want to send them all" in refused.content.decode()
    assert not Fax.objects.exists()

    alice_client.post(reverse("fax-draft", args=[draft.pk]), {"confirm_pages": "1"})
    assert Fax.objects.filter(draft=draft).count() == 1


def test_a_short_fax_goes_without_that_question(alice_client, team_a, settings) -> None:
    settings.FAX_CONFIRM_PAGES = 3
    draft = draft_for(team_a)

    assert (
        'data-testid="long-fax-warning"' not in alice_client.get(reverse("fax-draft", args=[draft.pk])).content.decode()
    )
    alice_client.post(reverse("fax-draft", args=[draft.pk]))
    assert Fax.objects.filter(draft=draft).count() == 1


def test_a_fax_is_scheduled_at_most_a_year_ahead(alice_client, team_a, sandbox_account, settings) -> None:
    from tests.fax.test_pages import compose

    settings.FAX_SCHEDULE_MAX_DAYS = 365
    pasifik = sandbox_account(team_a, "pasifik")
    local = timezone.localtime() + timedelta(days=400)
    response = compose(alice_client, pasifik, scheduled_at=local.strftime("%Y-%m-%dT%H:%M"))

    assert response.status_code == 200
    assert "at most 365 days ahead" in " ".join(response.context["form"].errors["scheduled_at"])
    within = timezone.localtime() + timedelta(days=300)
    assert compose(alice_client, pasifik, scheduled_at=within.strftime("%Y-%m-%dT%H:%M")).status_code == 302


def test_fax_quality_and_format_options_are_choices(team_a) -> None:
    from django import forms

    from accounts.forms import ProviderAccountForm

    form = ProviderAccountForm(kind="telsam", team=team_a)
    assert isinstance(form.fields["opt_fax_quality"], forms.ChoiceField)
    assert [value for value, _label in form.fields["opt_fax_format"].choices] == ["tiff", "pdf"]

    base = {"label": "T", "cred_username": "u", "cred_password": "p", "cred_client_id": "c", "cred_client_secret": "s"}
    wrong = ProviderAccountForm({**base, "opt_fax_quality": "superfine"}, kind="telsam", team=team_a)
    assert not wrong.is_valid() and "opt_fax_quality" in wrong.errors
    older = ProviderAccountForm(base, kind="telsam", team=team_a)  # a form posted without these options
    assert older.is_valid(), older.errors
    assert (older.options()["fax_quality"], older.options()["fax_format"]) == ("fine", "tiff")


def test_the_pdf_of_a_tiff_bomb_is_refused_with_a_message() -> None:
    from tests.fax.bombs import many_frame_tiff

    with pytest.raises(docs.DocumentError, match="more than 200 pages"):
        docs.tiff_as_pdf(many_frame_tiff())
    assert io.BytesIO(docs.tiff_as_pdf(docs.fax_tiff([(png_bytes(), docs.PNG)], quality="fine")[0])).read(4) == b"%PDF"


def test_one_queued_fax_is_said_in_the_singular() -> None:
    from django.utils.translation import ngettext, override

    with override("en"):
        assert ngettext("%(n)d fax queued for sending.", "%(n)d faxes queued for sending.", 1) % {"n": 1} == (
            "1 fax queued for sending."
        )
    with override("tr"):
        assert ngettext("%(n)d fax queued for sending.", "%(n)d faxes queued for sending.", 2) % {"n": 2} == (
            "2 faks gönderim sırasına alındı."
        )
