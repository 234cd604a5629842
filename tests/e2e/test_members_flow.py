"""The members page in a browser: a keyboard user moving through a role select changes
nothing until Save (WCAG 3.2.2), and an admin is offered nothing the server would refuse."""

from __future__ import annotations

import pytest

from accounts.models import Membership
from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_arrow_keys_in_a_role_select_change_nothing_until_save(page) -> None:
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="owner@example.com", full_name="Olga Owner"), role=Role.OWNER)
    MembershipFactory(team=team, user=UserFactory(email="admin@example.com", full_name="Ada Admin"), role=Role.ADMIN)
    viewer = MembershipFactory(
        team=team, user=UserFactory(email="viewer@example.com", full_name="Vic Viewer"), role=Role.VIEWER
    )

    log_in(page, "admin@example.com")
    page.get_by_role("heading", name="Ankara Office").wait_for()
    page.goto("/team/members/")

    owner_row = page.get_by_role("row").filter(has_text="owner@example.com")
    assert owner_row.get_by_role("combobox").count() == 0
    assert owner_row.get_by_role("button", name="Remove").count() == 0

    select = page.get_by_label("Role of Vic Viewer")
    assert select.locator("option").all_inner_texts() == ["Viewer", "Operator", "Admin"]
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.wait_for_timeout(500)  # what an auto-submitting form would need to leave the page
    assert "/team/members/" in page.url
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER

    page.get_by_role("row").filter(has_text="viewer@example.com").get_by_role("button", name="Save").click()
    page.get_by_text("Role of Vic Viewer changed.").wait_for()
    assert Membership.objects.get(pk=viewer.pk).role == Role.OPERATOR
