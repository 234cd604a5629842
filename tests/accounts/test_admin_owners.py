"""Django admin cannot leave a team without an owner: deleting the last owner's membership or user, demoting
it, moving it to another team, or dropping it from the team's inline list is refused with the reason, and
nothing changes; with another owner left each of these goes through."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership, Team, User
from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

WHY = "A team needs an owner: transfer ownership to an admin first, or delete the team."


@pytest.fixture
def operator():
    return client_for(UserFactory(is_staff=True, is_superuser=True, email="ops@example.com"))


def owner_membership(team: Team, user: User) -> Membership:
    return Membership.objects.get(team=team, user=user)


def test_the_last_owners_membership_cannot_be_deleted(operator, team_a, alice) -> None:
    membership = owner_membership(team_a, alice)
    url = reverse("admin:accounts_membership_delete", args=[membership.pk])
    page = operator.get(url).content.decode()
    assert "Team A: alice@example.com is its last owner." in page and WHY in page
    assert 'name="post"' not in page  # no "Yes, I'm sure"

    operator.post(url, {"post": "yes"})
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_with_a_second_owner_the_membership_can_be_deleted(operator, team_a, alice) -> None:
    MembershipFactory(team=team_a, role=Role.OWNER)
    membership = owner_membership(team_a, alice)
    response = operator.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()


def test_deleting_both_owners_at_once_is_refused(operator, team_a, alice) -> None:
    second = MembershipFactory(team=team_a, role=Role.OWNER)
    chosen = [owner_membership(team_a, alice).pk, second.pk]
    data = {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    page = operator.post(reverse("admin:accounts_membership_changelist"), data).content.decode()
    assert WHY in page
    assert Membership.objects.filter(pk__in=chosen).count() == 2


def _membership_form(membership: Membership, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {"team": membership.team_id, "user": membership.user_id, "role": membership.role,
                               "recording_numbers": "[]"}  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize("change", ["demote", "move"])
def test_the_last_owner_is_not_demoted_or_moved_away(operator, team_a, team_b, alice, change) -> None:
    membership = owner_membership(team_a, alice)
    changes = {"role": Role.ADMIN} if change == "demote" else {"team": team_b.pk}
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    response = operator.post(url, _membership_form(membership, **changes))
    assert response.status_code == 200 and WHY in response.content.decode()
    membership.refresh_from_db()
    assert (membership.team_id, membership.role) == (team_a.pk, Role.OWNER)


def test_with_a_second_owner_the_role_changes(operator, team_a, alice) -> None:
    MembershipFactory(team=team_a, role=Role.OWNER)
    membership = owner_membership(team_a, alice)
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    assert operator.post(url, _membership_form(membership, role=Role.ADMIN)).status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_the_last_owner_as_a_user_cannot_be_deleted(operator, team_a, alice) -> None:
    url = reverse("admin:accounts_user_delete", args=[alice.pk])
    page = operator.get(url).content.decode()
    assert "Team A: alice@example.com is its last owner." in page
    operator.post(url, {"post": "yes"})
    assert User.objects.filter(pk=alice.pk).exists() and owner_membership(team_a, alice).role == Role.OWNER


def test_a_user_who_is_not_a_last_owner_can_be_deleted(operator, team_a, alice, bob) -> None:
    response = operator.post(reverse("admin:accounts_user_delete", args=[bob.pk]), {"post": "yes"})
    assert response.status_code == 302 and not User.objects.filter(pk=bob.pk).exists()


def _team_form(team: Team, memberships: list[Membership], **row_changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": team.name, "time_zone": team.time_zone, "notification_email": team.notification_email or "",
        "permission_overrides": "{}",
        "memberships-TOTAL_FORMS": len(memberships), "memberships-INITIAL_FORMS": len(memberships),
        "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for index, membership in enumerate(memberships):
        data.update({
            f"memberships-{index}-id": membership.pk, f"memberships-{index}-team": team.pk,
            f"memberships-{index}-user": membership.user_id, f"memberships-{index}-role": membership.role,
            f"memberships-{index}-recording_numbers": "[]",
        })  # fmt: skip
    data.update(row_changes)
    return data


@pytest.mark.parametrize("change", ["memberships-0-DELETE", "memberships-0-role"])
def test_the_teams_inline_list_keeps_an_owner(operator, team_a, alice, bob, change) -> None:
    rows = [owner_membership(team_a, alice), owner_membership(team_a, bob)]
    value = "on" if change.endswith("DELETE") else Role.ADMIN
    response = operator.post(
        reverse("admin:accounts_team_change", args=[team_a.pk]), _team_form(team_a, rows, **{change: value})
    )
    assert response.status_code == 200 and WHY in response.content.decode()
    assert owner_membership(team_a, alice).role == Role.OWNER


def test_the_teams_inline_list_may_hand_ownership_over(operator, team_a, alice, bob) -> None:
    rows = [owner_membership(team_a, alice), owner_membership(team_a, bob)]
    changes = {"memberships-0-role": Role.ADMIN, "memberships-1-role": Role.OWNER}
    response = operator.post(
        reverse("admin:accounts_team_change", args=[team_a.pk]), _team_form(team_a, rows, **changes)
    )
    assert response.status_code == 302
    assert (owner_membership(team_a, alice).role, owner_membership(team_a, bob).role) == (Role.ADMIN, Role.OWNER)
