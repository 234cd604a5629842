"""Cover page templates: operators keep them, each change audited, the logo read by its content, the team's own."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEvent
from fax.models import CoverTemplate
from tests.conftest import client_for
from tests.fax.factories import cover_template_for

pytestmark = pytest.mark.django_db


def png(size: tuple[int, int] = (300, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def operator_client(team_a, member_of):
    return client_for(member_of(team_a, "operator"))


def test_an_operator_adds_changes_and_deletes_a_template_each_audited(operator_client, team_a) -> None:
    response = operator_client.post(
        reverse("fax-cover-new"),
        {
            "name": "Satış",
            "language": "tr",
            "shown_fields": ["to", "subject", "pages"],
            "header": "Örnek A.Ş.",
            "logo": SimpleUploadedFile("logo.png", png(), content_type="image/png"),
        },
    )
    template = CoverTemplate.objects.get(team=team_a)
    assert response.status_code == 302
    assert (template.name, template.shown_fields) == ("Satış", ["to", "pages", "subject"])
    assert template.logo_path

    sample = operator_client.get(reverse("fax-cover-sample", args=[template.pk]))
    assert sample["Content-Type"] == "image/png" and Image.open(io.BytesIO(sample.content)).width == 600

    operator_client.post(
        reverse("fax-cover-edit", args=[template.pk]),
        {"name": "Satış 2", "language": "en", "shown_fields": ["to"], "remove_logo": "on"},
    )
    template.refresh_from_db()
    assert (template.name, template.language, template.logo_path) == ("Satış 2", "en", "")

    operator_client.post(reverse("fax-cover-edit", args=[template.pk]), {"delete": "1"})
    assert not CoverTemplate.objects.filter(pk=template.pk).exists()
    assert list(AuditEvent.objects.filter(team=team_a).order_by("pk").values_list("action", flat=True)) == [
        "fax.cover_template_create",
        "fax.cover_template_update",
        "fax.cover_template_delete",
    ]


def test_a_logo_that_is_not_an_image_is_refused_and_the_form_keeps_what_was_typed(operator_client, team_a) -> None:
    response = operator_client.post(
        reverse("fax-cover-new"),
        {
            "name": "Gizli",
            "language": "en",
            "shown_fields": ["note"],
            "footer": "Confidential",
            "logo": SimpleUploadedFile("logo.png", b"%PDF-1.7 pretending", content_type="image/png"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The logo is not an image, or it is damaged." in page
    assert 'value="Gizli"' in page and 'value="Confidential"' in page
    assert not CoverTemplate.objects.filter(team=team_a).exists()


def test_two_templates_of_a_team_cannot_share_a_name(operator_client, team_a) -> None:
    cover_template_for(team_a, name="Standard")
    response = operator_client.post(reverse("fax-cover-new"), {"name": "Standard", "language": "en"})
    assert response.status_code == 400
    assert "already has a cover page of this name" in response.content.decode()


def test_another_teams_template_is_not_found_and_a_viewer_cannot_manage_them(
    operator_client, team_b, bob_client
) -> None:
    theirs = cover_template_for(team_b)
    for name in ("fax-cover-edit", "fax-cover-sample"):
        assert operator_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert operator_client.post(reverse("fax-cover-edit", args=[theirs.pk]), {"delete": "1"}).status_code == 404
    assert CoverTemplate.objects.filter(pk=theirs.pk).exists()
    assert bob_client.get(reverse("fax-covers")).status_code == 403
