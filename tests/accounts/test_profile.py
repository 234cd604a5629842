"""The profile page: name and language saved, and an email change that waits for the link sent
to the new address (expired, reused, foreign and taken links change nothing)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.profile import email_change_token
from tests.conftest import client_for
from tests.factories import UserFactory

LINK = re.compile(r"http://testserver(/account/email/confirm/[^/\s]+/)")


def save(client: Client, capture, **data: str):
    form = {"full_name": "Alice Example", "language": "", "new_email": "", **data}
    with capture(execute=True):
        return client.post(reverse("profile"), form)


def confirm(client: Client, link: str, capture):
    with capture(execute=True):
        return client.post(link, follow=True)


def test_name_and_language_are_saved_and_audited(alice, team_a, django_capture_on_commit_callbacks) -> None:
    client = client_for(alice)
    assert client.get(reverse("profile")).status_code == 200
    response = save(client, django_capture_on_commit_callbacks, full_name="Alice Yılmaz", language="tr")
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "tr"
    alice.refresh_from_db()
    assert (alice.full_name, alice.language) == ("Alice Yılmaz", "tr")
    event = team_a.audit_events.get(action="account.profile_update")
    assert sorted(event.data["fields"]) == ["full_name", "language"]
    assert mail.outbox == []


def test_the_email_changes_only_after_the_link_to_the_new_address(
    alice, team_a, django_capture_on_commit_callbacks
) -> None:
    client = client_for(alice)
    save(client, django_capture_on_commit_callbacks, new_email="Alice.New@Example.com")
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert [m.to for m in mail.outbox] == [["alice.new@example.com"]]
    link = LINK.search(mail.outbox[0].body).group(1)
    assert team_a.audit_events.filter(action="account.email_change_request").exists()

    page = confirm(client, link, django_capture_on_commit_callbacks).content.decode()
    assert "Your email address is now alice.new@example.com." in page
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"
    assert mail.outbox[1].to == ["alice@example.com"]  # the old address is told
    event = team_a.audit_events.get(action="account.email_change")
    assert event.data == {"old_email": "alice@example.com", "email": "alice.new@example.com"}

    page = confirm(client, link, django_capture_on_commit_callbacks).content.decode()
    assert "This link was already used" in page
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"


def test_the_email_to_the_new_address_is_in_the_readers_language(alice, django_capture_on_commit_callbacks) -> None:
    alice.language = "tr"
    alice.save(update_fields=["language"])
    save(client_for(alice), django_capture_on_commit_callbacks, language="tr", new_email="yeni@example.com")
    assert mail.outbox[0].subject == "Yeni Telcoportal e-posta adresinizi onaylayın"


def test_an_expired_link_changes_nothing(alice, settings, django_capture_on_commit_callbacks) -> None:
    settings.EMAIL_CHANGE_TIMEOUT = timedelta(seconds=-1)
    token = email_change_token(user=alice, new_email="late@example.com")
    page = confirm(client_for(alice), reverse("email-change-confirm", args=[token]), django_capture_on_commit_callbacks)
    assert "This link has expired" in page.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_another_persons_link_and_a_taken_address_change_nothing(
    alice, bob, django_capture_on_commit_callbacks
) -> None:
    token = email_change_token(user=alice, new_email="mine@example.com")
    page = confirm(client_for(bob), reverse("email-change-confirm", args=[token]), django_capture_on_commit_callbacks)
    assert "This link is for another account" in page.content.decode()
    assert User.objects.get(pk=bob.pk).email == "bob@example.com"

    UserFactory(email="taken@example.com")
    token = email_change_token(user=alice, new_email="taken@example.com")
    page = confirm(client_for(alice), reverse("email-change-confirm", args=[token]), django_capture_on_commit_callbacks)
    assert "This address belongs to another account" in page.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_a_tampered_link_changes_nothing(alice, django_capture_on_commit_callbacks) -> None:
    token = email_change_token(user=alice, new_email="mine@example.com")[:-2] + "xx"
    page = confirm(client_for(alice), reverse("email-change-confirm", args=[token]), django_capture_on_commit_callbacks)
    assert "This link is not valid" in page.content.decode()


def test_the_profile_page_speaks_turkish(alice) -> None:
    client = client_for(alice)
    client.cookies["django_language"] = "tr"
    page = client.get(reverse("profile")).content.decode()
    assert "Yeni e-posta adresi" in page
