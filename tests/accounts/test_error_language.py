"""A provider check's error, and the notifications that carry provider or fax errors, read in the reader's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.provider_checks import provider_account_check
from notifications.messages import notification_text
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

TURKISH_REFUSED = "Sağlayıcı kimlik bilgilerini reddetti."


def test_a_periodic_check_failure_reads_in_the_readers_language(alice_client, team_a, sandbox, sandbox_account) -> None:
    account = sandbox_account(team_a, "verimor", credentials={"api_key": "wrong-key"})
    with translation.override("en"):  # the worker's language
        assert not provider_account_check(account=account).ok
    account.refresh_from_db()
    assert account.last_error == "" and account.last_error_stored

    assert "refused the credentials" in alice_client.get(reverse("provider-list")).content.decode()
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish = alice_client.get(reverse("provider-list")).content.decode()
    assert TURKISH_REFUSED in turkish and "refused the credentials" not in turkish


def test_a_credentials_notification_carries_the_error_as_a_key(team_a, sandbox, sandbox_account) -> None:
    account = sandbox_account(team_a, "verimor")
    with translation.override("en"):
        assert provider_account_check(account=account).ok
        account.credentials = {"api_key": "wrong-key"}
        account.save()
        assert not provider_account_check(account=account).ok
    notification = Notification.objects.get(kind=Kind.CREDENTIALS_FAILING)
    with translation.override("tr"):
        assert TURKISH_REFUSED in notification_text(notification)
    with translation.override("en"):
        assert "refused the credentials" in notification_text(notification)


def test_a_fax_failure_notification_reads_in_the_readers_language(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    from tests.fax.helpers import send

    account = sandbox_account(team_a, "telsam")
    with translation.override("en"):
        send(django_capture_on_commit_callbacks, account, recipients=["901234"])  # too short for Telsam
    notification = Notification.objects.get(kind=Kind.FAX_FAILED)
    with translation.override("tr"):
        text = notification_text(notification)
    assert "Sağlayıcı isteği reddetti." in text and "rejected" not in text


def test_a_telsam_account_without_a_token_says_so_in_the_readers_language(
    alice_client, team_a, sandbox, sandbox_account
) -> None:
    account = sandbox_account(team_a, "telsam", credentials={"client_id": "3", "client_secret": "s"})
    with translation.override("en"):
        assert not provider_account_check(account=account).ok
    account.refresh_from_db()
    assert account.last_error_stored == {"key": "telsam_no_token", "params": {}}
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    assert "Henüz belirteç yok" in alice_client.get(reverse("provider-list")).content.decode()
