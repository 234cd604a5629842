"""Password reset by email: the same answer for any address, throttled, links that work once and
expire, the reader's language, other sessions ended, and the second factor still asked."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from tests.accounts.test_two_factor import device_for
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "a fresh passphrase 42"
LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def ask(client: Client, email: str, capture):
    with capture(execute=True):
        return client.post(reverse("password-reset"), {"email": email})


def link_in(message: mail.EmailMessage) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    page = client.get(link, follow=True)
    return client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
    )


def log_in(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_the_login_page_links_to_the_reset(client: Client) -> None:
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password-reset")}"' in page
    assert "Forgot password?" in page


def test_forgot_password_email_new_password_log_in(alice, team_a, django_capture_on_commit_callbacks) -> None:
    other_session = client_for(alice)
    client = Client()
    response = ask(client, "ALICE@example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("password-reset-done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert mail.outbox[0].subject == "Set a new Telcoportal password"
    assert "for 1\xa0hour" in mail.outbox[0].body

    response = set_password(client, link_in(mail.outbox[0]))
    assert response.status_code == 302
    assert response["Location"] == reverse("password-reset-complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert team_a.audit_events.filter(action="account.password_reset", actor=alice).exists()
    # The reset logs nobody in, and the session signed in with the old password has ended.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert other_session.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert log_in(client, "alice@example.com", NEW_PASSWORD)["Location"] == reverse("dashboard")


def test_an_unknown_address_gets_the_same_answer_through_the_same_steps(
    alice, django_capture_on_commit_callbacks
) -> None:
    answers = []
    for email in ("alice@example.com", "nobody@example.com"):
        client = Client()
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post(reverse("password-reset"), {"email": email})
        done = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], len(queued), [t.name for t in done.templates]))
    assert answers[0] == answers[1]
    assert mail.outbox == []  # nothing is sent in the request itself: a task does it

    ask(Client(), "nobody@example.com", django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_email_is_in_the_readers_saved_language(alice, django_capture_on_commit_callbacks) -> None:
    alice.language = "tr"
    alice.save(update_fields=["language"])
    ask(Client(), "alice@example.com", django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == "Yeni bir Telcoportal parolası belirleyin"
    assert "Yeni parola belirleyin:" in mail.outbox[0].body


def test_the_reset_pages_speak_turkish(client: Client) -> None:
    client.cookies["django_language"] = "tr"
    page = client.get(reverse("password-reset")).content.decode()
    assert "Parolanızı sıfırlayın" in page
    assert "Reset your password" not in page


def test_a_used_link_is_refused_and_changes_nothing(alice, django_capture_on_commit_callbacks) -> None:
    client = Client()
    ask(client, "alice@example.com", django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    set_password(client, link)

    again = Client()
    page = again.get(link, follow=True).content.decode()
    assert "This link has expired or was already used" in page
    assert 'name="new_password1"' not in page
    set_password(again, link, "yet another passphrase 7")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused_and_changes_nothing(alice) -> None:
    generator = default_token_generator
    an_hour_and_more_ago = generator._num_seconds(generator._now()) - 3601
    token = generator._make_token_with_timestamp(alice, an_hour_and_more_ago, generator.secret)
    link = reverse(
        "password-reset-confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(alice.pk)), "token": token}
    )
    client = Client()
    assert "This link has expired or was already used" in client.get(link, follow=True).content.decode()
    set_password(client, link)
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)


def test_requests_are_throttled_per_address_known_or_not(alice, settings, django_capture_on_commit_callbacks) -> None:
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    for email, sent in (("alice@example.com", 2), ("nobody@example.com", 0)):
        mail.outbox.clear()
        for _ in range(2):
            assert ask(Client(), email, django_capture_on_commit_callbacks).status_code == 302
        refused = ask(Client(), email, django_capture_on_commit_callbacks)
        assert refused.status_code == 429
        assert "Too many reset requests. Wait 1\xa0hour, then try again." in refused.content.decode()
        assert len(mail.outbox) == sent


def test_requests_are_throttled_per_client(alice, settings, django_capture_on_commit_callbacks) -> None:
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 2
    for n in range(2):
        assert ask(Client(), f"someone{n}@example.com", django_capture_on_commit_callbacks).status_code == 302
    assert ask(Client(), "alice@example.com", django_capture_on_commit_callbacks).status_code == 429
    assert mail.outbox == []
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert ask(other, "alice@example.com", django_capture_on_commit_callbacks).status_code == 302


def test_the_second_factor_is_still_asked_after_a_reset(alice, django_capture_on_commit_callbacks) -> None:
    device_for(alice)
    client = Client()
    ask(client, "alice@example.com", django_capture_on_commit_callbacks)
    set_password(client, link_in(mail.outbox[0]))
    assert log_in(client, "alice@example.com", NEW_PASSWORD)["Location"] == reverse("two-factor-verify")
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_locked_out_account_may_log_in_after_a_reset(settings, django_capture_on_commit_callbacks) -> None:
    from tests.factories import UserFactory

    UserFactory(email="carol@example.com")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "carol@example.com", "wrong")
    assert log_in(client, "carol@example.com", TEST_PASSWORD).status_code == 429
    ask(client, "carol@example.com", django_capture_on_commit_callbacks)
    set_password(client, link_in(mail.outbox[0]))
    assert log_in(client, "carol@example.com", NEW_PASSWORD).status_code == 302
    assert User.objects.get(email="carol@example.com").check_password(NEW_PASSWORD)
