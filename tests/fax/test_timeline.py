"""The timeline is stored as keys and parameters and read in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fax.models import FaxEvent, Status
from tests.fax.helpers import send, track

pytestmark = pytest.mark.django_db


def _timeline(client: Client, fax_id: int) -> str:
    html = client.get(reverse("fax-detail", args=[fax_id])).content.decode()
    return html[html.index('id="fax-status"') : html.index("</ol>")]


def test_a_pasifik_fax_timeline_reads_in_turkish_and_in_english(
    alice_client, team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "pasifik")
    with translation.override("tr"):  # whatever language the worker runs in, nothing is stored translated
        [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550123"])
        sandbox.clock.advance(200)
        fax = track(fax)
    assert fax.status == Status.SENT
    attempt = FaxEvent.objects.get(fax=fax, kind="attempt")
    assert (attempt.message_key, attempt.params, attempt.message) == ("attempt", {"n": 1}, "")

    english = _timeline(alice_client, fax.pk)
    assert "Attempt 1" in english and "delivered 1/1, undelivered 0, waiting 0" in english
    assert "The provider accepted the fax" in english

    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish = _timeline(alice_client, fax.pk)
    assert "1. deneme" in turkish and "iletilen 1/1, iletilemeyen 0, bekleyen 0" in turkish
    for english_word in ("Attempt", "delivered", "accepted", "Provider says"):
        assert english_word not in turkish, english_word


def test_events_without_a_status_are_named_in_the_readers_language(
    alice_client, team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    from fax.services import actions

    account = sandbox_account(team_a, "telphin")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550129"], user=None)
    sandbox.clock.advance(60)
    fax = track(fax)
    actions.fax_retry(fax=fax, actor=None)

    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish = _timeline(alice_client, fax.pk)
    assert "Sağlayıcıdan yeniden deneme istendi." in turkish
    assert ">retry<" not in turkish and "Retry asked" not in turkish


def test_our_own_error_sentences_read_in_the_readers_language(alice_client, team_a) -> None:
    from tests.fax.factories import FaxFactory

    fax = FaxFactory(team=team_a, status=Status.FAILED, error="The provider account is gone or inactive.")
    assert "The provider account is gone or inactive." in _timeline(alice_client, fax.pk)

    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish = _timeline(alice_client, fax.pk)
    assert "Sağlayıcı hesabı silinmiş ya da etkin değil." in turkish and "gone or inactive" not in turkish
