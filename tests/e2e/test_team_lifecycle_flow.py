"""A team's lifecycle in a browser: the owner hands the team to an admin, a member leaves, the owner
deletes the team and its rows and files are gone while another team keeps all of its own."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, Membership, Team
from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.team_data import team_with_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    # Straight to the Team page: the dashboard's panels, still loading while a test deletes the team,
    # would lock SQLite's tables under the test's feet.
    page.goto("/accounts/login/?next=/team/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_owner_transfers_ownership_to_an_admin(page) -> None:
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="olga@example.com", full_name="Olga Owner"), role=Role.OWNER)
    MembershipFactory(team=team, user=UserFactory(email="ada@example.com", full_name="Ada Admin"), role=Role.ADMIN)
    MembershipFactory(team=team, user=UserFactory(email="vic@example.com", full_name="Vic Viewer"), role=Role.VIEWER)

    log_in(page, "olga@example.com")
    page.get_by_role("heading", name="Ankara Office").wait_for()
    page.get_by_role("link", name="Transfer ownership").click()
    new_owner = page.get_by_label("New owner")
    assert new_owner.locator("option").all_inner_texts() == ["Ada Admin (ada@example.com)"]  # admins only
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Transfer ownership").click()
    page.get_by_text("Your password is not right. Nothing was changed.").wait_for()
    assert Membership.objects.get(user__email="olga@example.com").role == Role.OWNER

    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Transfer ownership").click()
    page.get_by_text("Ada Admin is now the owner of Ankara Office; you are an admin.").wait_for()
    assert dict(team.memberships.values_list("user__email", "role")) == {
        "olga@example.com": Role.ADMIN,
        "ada@example.com": Role.OWNER,
        "vic@example.com": Role.VIEWER,
    }
    # An admin now: the owner's links are gone from her Team page.
    assert page.get_by_role("link", name="Delete the team").count() == 0
    assert AuditEvent.objects.filter(action="team.transfer_ownership", team=team).count() == 1


def test_the_owner_deletes_the_team_and_its_rows_and_files_are_gone(page) -> None:
    team = TeamFactory(name="Ankara Office")
    other = TeamFactory(name="Izmir Office")
    owner = MembershipFactory(team=team, user=UserFactory(email="olga@example.com"), role=Role.OWNER).user
    MembershipFactory(team=other, user=UserFactory(email="ivan@example.com"), role=Role.OWNER)
    MembershipFactory(team=team, user=UserFactory(email="vic@example.com"), role=Role.VIEWER)
    mine, theirs = team_with_data(team), team_with_data(other)
    theirs_rows = theirs.row_counts()
    assert mine.files_present() == mine.files

    log_in(page, owner.email)
    page.get_by_role("heading", name="Ankara Office").wait_for()
    page.get_by_role("link", name="Delete the team").click()
    page.get_by_label("The team's name").fill("Ankara office")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Delete the team and all its data").click()
    page.get_by_text("The name you typed is not the team's name. Nothing was deleted.").wait_for()
    assert Team.objects.filter(pk=team.pk).exists() and mine.files_present() == mine.files

    page.get_by_label("The team's name").fill("Ankara Office")
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Delete the team and all its data").click()
    page.get_by_text("Ankara Office was deleted with all its data.").wait_for()
    page.get_by_test_id("no-team").wait_for()  # she has no other team: the page says so and how to go on

    assert not Team.objects.filter(pk=team.pk).exists()
    assert set(mine.row_counts().values()) == {0}
    assert mine.files_present() == []
    assert theirs.row_counts() == theirs_rows and theirs.files_present() == theirs.files
    assert AuditEvent.objects.get(action="team.delete").team is None


def test_a_member_leaves_and_lands_in_their_other_team(page) -> None:
    ankara, izmir = TeamFactory(name="Ankara Office"), TeamFactory(name="Izmir Office")
    vic = UserFactory(email="vic@example.com")
    MembershipFactory(team=ankara, role=Role.OWNER)
    MembershipFactory(team=izmir, role=Role.OWNER)
    MembershipFactory(team=ankara, user=vic, role=Role.VIEWER)
    MembershipFactory(team=izmir, user=vic, role=Role.OPERATOR)

    log_in(page, "vic@example.com")
    page.get_by_role("heading", name="Ankara Office").wait_for()
    page.get_by_role("link", name="Leave the team").click()
    page.get_by_role("button", name="Leave the team").click()
    page.get_by_text("You left Ankara Office.").wait_for()
    page.get_by_text("You are now working in Izmir Office.").wait_for()
    page.get_by_role("heading", name="Izmir Office").wait_for()
    page.wait_for_load_state("networkidle")  # its panels, before the test's database goes
    assert list(Membership.objects.filter(user=vic).values_list("team__name", flat=True)) == ["Izmir Office"]
