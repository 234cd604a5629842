"""A person's own pages in a browser, reached from the account menu: the profile saves a new name,
and "log out other sessions" ends the session of another browser while this one stays."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_profile_and_logging_out_other_sessions_from_the_account_menu(page) -> None:
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="vic@example.com", full_name="Vic"), role=Role.VIEWER)
    elsewhere = Client(HTTP_USER_AGENT="Phone browser")  # the same person, signed in on another device
    assert (
        elsewhere.post(reverse("login"), {"username": "vic@example.com", "password": TEST_PASSWORD}).status_code == 302
    )

    page.goto("/accounts/login/?next=/account/profile/")
    page.get_by_label("Email address").fill("vic@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Profile").wait_for()

    page.get_by_label("Full name").fill("Victoria Viewer")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Profile saved.").wait_for()
    assert User.objects.get(email="vic@example.com").full_name == "Victoria Viewer"

    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("sessions-link").click()
    page.get_by_role("heading", name="Sessions").wait_for()
    rows = page.get_by_test_id("sessions").locator("tbody tr")
    assert rows.count() == 2
    assert rows.filter(has_text="This browser").count() == 1
    assert rows.filter(has_text="Phone browser").count() == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Log out other sessions").click()
    page.get_by_text("Other sessions logged out: 1.").wait_for()
    assert page.get_by_test_id("sessions").locator("tbody tr").count() == 1

    assert elsewhere.get(reverse("profile")).status_code == 302  # sent to log in
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("profile-link").click()
    page.get_by_test_id("current-email").wait_for()  # this browser is still signed in
