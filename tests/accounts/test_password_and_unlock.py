"""Changing one's password, and an admin unlocking a member who typed too many wrong ones."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

NEW_PASSWORD = "a fresh passphrase 42"


def login(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def lock_out(email: str, limit: int) -> None:
    client = Client()
    for _ in range(limit):
        login(client, email, "wrong")
    assert login(client, email, TEST_PASSWORD).status_code == 429


def test_a_signed_in_person_changes_their_password_with_the_current_one(alice, team_a) -> None:
    client = client_for(alice)
    assert b'href="/account/password/"' in client.get(reverse("security")).content
    response = client.post(
        reverse("password-change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)

    response = client.post(
        reverse("password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("security")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200  # this session stays signed in
    assert team_a.audit_events.filter(action="account.password_change", actor=alice).exists()


def test_the_password_page_speaks_turkish(alice) -> None:
    client = client_for(alice)
    client.cookies["django_language"] = "tr"
    with translation.override("tr"):
        page = client.get(reverse("password-change"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    assert "Parolayı değiştir" in page
    assert "Change password" not in page


def test_the_lockout_page_says_the_wait_in_words(alice, settings) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice@example.com", "wrong")
    page = login(client, "alice@example.com", TEST_PASSWORD).content.decode()
    assert "15\xa0minutes" in page or "15 minutes" in page
    assert "PT15M" not in page

    turkish = Client(HTTP_ACCEPT_LANGUAGE="tr")
    page = login(turkish, "alice@example.com", TEST_PASSWORD).content.decode()
    assert "15\xa0dakika" in page or "15 dakika" in page


def test_an_admin_unlocks_a_locked_out_member_and_it_is_audited(team_a, bob, settings) -> None:
    admin = MembershipFactory(team=team_a, user=UserFactory(email="admin@example.com"), role=Role.ADMIN).user
    admin_client = client_for(admin)
    bob_membership = team_a.memberships.get(user=bob)
    assert b'data-testid="locked-out"' not in admin_client.get(reverse("members")).content

    lock_out("bob@example.com", settings.AXES_FAILURE_LIMIT)
    page = admin_client.get(reverse("members")).content.decode()
    assert 'data-testid="locked-out"' in page
    assert reverse("member-unlock", args=[bob_membership.pk]) in page

    response = admin_client.post(reverse("member-unlock", args=[bob_membership.pk]))
    assert response.status_code == 302
    assert login(Client(), "bob@example.com", TEST_PASSWORD).status_code == 302
    event = team_a.audit_events.get(action="member.unlock")
    assert event.actor == admin
    assert event.object_id == str(bob_membership.pk)


def test_only_admins_of_the_same_team_can_unlock(team_a, bob, charlie, member_of) -> None:
    bob_membership = team_a.memberships.get(user=bob)
    operator = member_of(team_a, Role.OPERATOR)
    assert client_for(operator).post(reverse("member-unlock", args=[bob_membership.pk])).status_code == 403
    assert client_for(charlie).post(reverse("member-unlock", args=[bob_membership.pk])).status_code == 404
