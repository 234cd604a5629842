"""A chunk's error is stored as a key and parameters and read in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from messaging.models import SmsChunk
from messaging.services import send_queue
from tests.messaging.test_pipeline import create

pytestmark = pytest.mark.django_db


def _chunks(client: Client, batch_id: int) -> str:
    html = client.get(reverse("sms-detail", args=[batch_id])).content.decode()
    return html[html.index('id="chunks"') : html.index("</table>", html.index('id="chunks"'))]


def test_a_chunk_failed_by_the_worker_reads_in_the_readers_language(
    sms_account, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("expired-token", provider="pasifik", path="sms/submit")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # the worker's language
        batch = create(sms_account, alice, ["905321111111"])
    chunk = batch.chunks.get()
    assert chunk.state == "failed" and chunk.error == ""
    assert chunk.error_stored["key"] in ("auth_failed", "with_excerpt")

    assert "The provider refused the credentials." in _chunks(alice_client, batch.pk)
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish = _chunks(alice_client, batch.pk)
    assert "Sağlayıcı kimlik bilgilerini reddetti." in turkish
    assert "refused the credentials" not in turkish


def test_a_watchdog_text_is_stored_as_a_key(
    sms_account, alice, alice_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # never sent: the chunk stays queued
        batch = create(sms_account, alice, ["905321111111"])
    SmsChunk.objects.filter(batch=batch).update(state=SmsChunk.State.SUBMITTING, attempted_at="2000-01-01T00:00Z")
    with translation.override("en"):
        send_queue.sms_send_watchdog()
    assert batch.chunks.get().error_stored == {"key": "sms.cut_off", "params": {}}
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    assert "Bu parça sağlayıcıya giderken gönderim durdu" in _chunks(alice_client, batch.pk)


def test_an_error_stored_as_text_before_keys_still_shows(
    sms_account, alice, alice_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        batch = create(sms_account, alice, ["905321111111"])
    SmsChunk.objects.filter(batch=batch).update(state=SmsChunk.State.FAILED, error="An old reason, in English.")
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    assert "An old reason, in English." in _chunks(alice_client, batch.pk)


def test_a_recipient_of_a_failed_chunk_says_why_in_the_readers_language(
    sms_account, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("expired-token", provider="pasifik", path="sms/submit")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111"])
    assert batch.recipients.get().status_text == ""  # the provider said nothing about this number
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    html = alice_client.get(reverse("sms-detail", args=[batch.pk])).content.decode()
    recipients = html[html.index('id="recipients"') :]
    assert "Sağlayıcı kimlik bilgilerini reddetti." in recipients[: recipients.index("</table>")]
    export = alice_client.get(reverse("sms-detail", args=[batch.pk]), {"_export": "csv"})
    assert "Sağlayıcı kimlik bilgilerini reddetti." in b"".join(export.streaming_content).decode()


def test_an_unusable_account_fails_the_chunks_with_its_reason_in_the_readers_language(
    sms_account, alice, alice_client, django_capture_on_commit_callbacks
) -> None:
    sms_account.base_url = "http://evil.example.com/"  # not allowed: its client cannot be used
    sms_account.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111"])
    chunk = batch.chunks.get()
    assert chunk.state == "failed" and chunk.error_stored["key"] == "sms.account_incomplete"
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish = _chunks(alice_client, batch.pk)
    assert "Sağlayıcı hesabı eksik" in turkish and "cannot be used" not in turkish
