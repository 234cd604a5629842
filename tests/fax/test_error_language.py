"""A fax's error and field errors are stored as keys and parameters and read in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fax.models import Fax, Status
from tests.fax.helpers import send

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str) -> str:
    return client.get(url).content.decode()


def test_a_refused_fax_reads_in_the_readers_language_with_its_field_errors(
    alice_client, team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telsam")
    with translation.override("en"):  # the worker's language
        [fax] = send(django_capture_on_commit_callbacks, account, recipients=["901234"])  # too short for Telsam
    assert fax.status == Status.FAILED and fax.error == ""
    assert fax.error_stored == {"key": "rejected", "params": {}}
    [problem] = fax.error_fields["recipients"]
    assert problem["key"] == "field_refused"

    detail, compose = reverse("fax-detail", args=[fax.pk]), reverse("fax-new") + f"?from={fax.pk}"
    assert "The provider rejected the request." in _page(alice_client, detail)
    assert "refused by the provider" in _page(alice_client, compose)

    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish_detail, turkish_compose = _page(alice_client, detail), _page(alice_client, compose)
    assert "Sağlayıcı isteği reddetti." in turkish_detail and "rejected the request" not in turkish_detail
    assert "sağlayıcı tarafından reddedildi" in turkish_compose and "refused by the provider" not in turkish_compose
    # the timeline's failure line too
    assert fax.events.filter(message_key="rejected").exists()


def test_an_error_stored_as_text_before_keys_still_shows(
    alice_client, team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telsam")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["901234"])
    Fax.objects.filter(pk=fax.pk).update(
        error="An old reason, in English.", error_stored={}, error_fields={"recipients": ["An old field problem."]}
    )
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    assert "An old reason, in English." in _page(alice_client, reverse("fax-detail", args=[fax.pk]))
    assert "An old field problem." in _page(alice_client, reverse("fax-new") + f"?from={fax.pk}")


def test_a_draft_that_the_worker_could_not_prepare_says_why_in_the_readers_language(
    alice_client, team_a, sandbox_account, monkeypatch
) -> None:
    from fax import documents
    from fax.models import FaxDraft
    from tests.fax.test_pages import compose

    def broken(*args, **kwargs):
        raise documents.DocumentError("pdf_damaged")

    monkeypatch.setattr(documents, "fax_tiff", broken)
    with translation.override("en"):  # the worker's language
        compose(alice_client, sandbox_account(team_a, "telphin"))
    draft = FaxDraft.objects.get()
    assert draft.render_error == "" and draft.render_error_stored == {"key": "document.pdf_damaged", "params": {}}

    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    page = _page(alice_client, reverse("fax-draft", args=[draft.pk]))
    assert "PDF bozuk ve okunamıyor." in page and "damaged" not in page
