"""Invitations: emailed links that expire, work once, and never grant more than the inviter has."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import MembershipFactory


def invite(client: Client, email: str = "new@example.com", role: str = "operator") -> str:
    """Sends an invitation and returns the link from the email."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("member-invite"), {"email": email, "role": role})
    assert response.status_code == 302, response.content
    return re.search(r"http://testserver(/invitations/[^\s]+/)", mail.outbox[-1].body).group(1)


def test_an_invitation_is_emailed_with_a_link(alice_client: Client, team_a) -> None:
    link = invite(alice_client)
    assert mail.outbox[-1].to == ["new@example.com"]
    assert "Team A" in mail.outbox[-1].subject
    invitation = Invitation.objects.get(email="new@example.com")
    assert link.split("/")[2] not in invitation.token_hash  # only the hash is stored
    assert team_a.audit_events.filter(action="invitation.create").exists()


def test_a_new_person_signs_up_through_the_link_and_joins_with_the_role(alice_client: Client, team_a) -> None:
    link = invite(alice_client)
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    assert b"Create account and join" in page.content
    response = client.post(
        link, {"full_name": "New Person", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert Membership.objects.get(user=user, team=team_a).role == Role.OPERATOR
    assert client.get(reverse("dashboard")).status_code == 200  # signed in


def test_signup_errors_keep_the_name_typed(alice_client: Client) -> None:
    link = invite(alice_client)
    response = Client().post(link, {"full_name": "Kept Name", "password1": "short", "password2": "other"})
    assert response.status_code == 400
    assert b'value="Kept Name"' in response.content
    assert b"The two passwords differ." in response.content


def test_an_existing_user_signs_in_and_accepts(alice_client: Client, team_a, charlie) -> None:
    link = invite(alice_client, email=charlie.email, role="viewer")
    anonymous = Client().post(link)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    response = client_for(charlie).post(link)
    assert response.status_code == 302
    assert Membership.objects.filter(user=charlie, team=team_a, role=Role.VIEWER).exists()


def test_a_used_link_says_so(alice_client: Client) -> None:
    link = invite(alice_client)
    Client().post(link, {"full_name": "A", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"})
    response = Client().get(link)
    assert response.status_code == 410
    assert b"already been used" in response.content


def test_an_expired_link_says_so(alice_client: Client) -> None:
    link = invite(alice_client)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().post(link, {"full_name": "A", "password1": "a long pass phrase 42", "password2": "x"})
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_withdrawn_link_says_so(alice_client: Client) -> None:
    link = invite(alice_client)
    invitation = Invitation.objects.get()
    alice_client.post(reverse("invitation-revoke", args=[invitation.pk]))
    assert b"withdrawn" in Client().get(link).content


@pytest.mark.django_db
def test_an_unknown_link_is_not_found() -> None:
    response = Client().get(reverse("invitation-accept", args=["nope"]))
    assert response.status_code == 404
    assert b"not valid" in response.content


def test_an_invitation_for_someone_else_is_refused(alice_client: Client, bob) -> None:
    link = invite(alice_client, email="someone@example.com")
    response = client_for(bob).post(link)
    assert response.status_code == 403
    assert b"another email address" in response.content


def test_an_admin_cannot_invite_an_owner(team_a) -> None:
    admin = MembershipFactory(team=team_a, role=Role.ADMIN).user
    response = client_for(admin).post(reverse("member-invite"), {"email": "x@example.com", "role": "owner"})
    assert response.status_code == 400
    assert "role" in response.context["invite_form"].errors


def test_inviting_a_member_again_is_a_form_error(alice_client: Client, bob) -> None:
    response = alice_client.post(reverse("member-invite"), {"email": bob.email, "role": "viewer"})
    assert response.status_code == 400
    assert b"already a member" in response.content


def test_the_last_owner_cannot_step_down(alice_client: Client, team_a, alice) -> None:
    other_admin = MembershipFactory(team=team_a, role=Role.OWNER)
    alice_client.post(reverse("member-role", args=[other_admin.pk]), {"role": "viewer"})
    other_admin.refresh_from_db()
    assert other_admin.role == Role.VIEWER
    own = Membership.objects.get(user=alice, team=team_a)
    admin_client = client_for(MembershipFactory(team=team_a, role=Role.ADMIN).user)
    admin_client.post(reverse("member-role", args=[own.pk]), {"role": "viewer"})
    own.refresh_from_db()
    assert own.role == Role.OWNER  # an admin cannot demote an owner


def test_removing_a_member_is_audited(alice_client: Client, team_a, bob) -> None:
    membership = Membership.objects.get(user=bob, team=team_a)
    alice_client.post(reverse("member-remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert team_a.audit_events.filter(action="member.remove").exists()


def test_expired_invitations_are_purged_by_the_periodic_task(team_a) -> None:
    from accounts.tasks import invitations_purge_expired
    from tests.factories import InvitationFactory

    InvitationFactory(team=team_a, expires_at=timezone.now() - timedelta(days=40))
    InvitationFactory(team=team_a)
    assert invitations_purge_expired.delay().get() == "deleted 1"
    assert Invitation.objects.count() == 1
