"""An admin adds a provider account, tests the connection, and finds the key write-only."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from sandbox.verimor import DEMO_CREDENTIALS
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_add_a_verimor_account_test_it_and_find_the_key_hidden(page, sandbox_url) -> None:
    admin = UserFactory(email="admin@example.com")
    MembershipFactory(team=TeamFactory(name="Bursa Office"), user=admin, role=Role.ADMIN)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto("/team/providers/")
    page.get_by_role("link", name="Verimor Bulutsantralim").click()
    page.get_by_label("Label").fill("Verimor main")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("This field is required.").wait_for()  # the key is missing
    assert page.get_by_label("Label").input_value() == "Verimor main"  # what was typed stays

    page.get_by_label("API key").fill(DEMO_CREDENTIALS["key"])
    page.get_by_label("Base URL").fill(f"{sandbox_url}/verimor")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Provider account Verimor main saved.").wait_for()

    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Verimor main: Connected.").wait_for()
    page.get_by_role("row", name="Verimor main").get_by_text("OK").wait_for()

    page.get_by_role("link", name="Verimor main").first.click()
    key_field = page.get_by_label("API key")
    assert key_field.input_value() == ""
    assert "unchanged" in (key_field.get_attribute("placeholder") or "")
    assert DEMO_CREDENTIALS["key"] not in page.content()
