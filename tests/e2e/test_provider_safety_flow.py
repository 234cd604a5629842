"""What an admin sees when an address is refused, a secret must be re-entered, or credentials are unreadable."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from accounts.models import ProviderAccount
from accounts.roles import Role
from sandbox.verimor import DEMO_CREDENTIALS
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page) -> object:
    admin = UserFactory(email="admin@example.com")
    team = TeamFactory(name="Bursa Office")
    MembershipFactory(team=team, user=admin, role=Role.ADMIN)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("admin@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return team


def test_an_internal_address_is_refused_and_a_new_address_asks_for_the_key(page, sandbox_url) -> None:
    _log_in(page)
    page.goto("/team/providers/")
    page.get_by_role("link", name="Verimor Bulutsantralim").click()
    page.get_by_label("Label").fill("Verimor main")
    page.get_by_label("API key").fill(DEMO_CREDENTIALS["key"])
    page.get_by_label("Base URL").fill("http://169.254.169.254/latest/")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("this address is not allowed for this provider").wait_for()
    assert page.get_by_label("Base URL").input_value() == "http://169.254.169.254/latest/"

    page.get_by_label("API key").fill(DEMO_CREDENTIALS["key"])
    page.get_by_label("Base URL").fill(f"{sandbox_url}/verimor")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Provider account Verimor main saved.").wait_for()

    page.get_by_role("link", name="Verimor main").first.click()
    page.get_by_label("Base URL").fill(f"{sandbox_url}/verimor/v2")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Enter this secret again").wait_for()
    assert ProviderAccount.objects.get(label="Verimor main").base_url == f"{sandbox_url}/verimor"


def test_unreadable_credentials_are_shown_and_can_be_entered_again(page, sandbox_url) -> None:
    team = _log_in(page)
    account = ProviderAccount.objects.create(
        team=team, kind="verimor", label="Verimor old", credentials={"api_key": "x"}, base_url=f"{sandbox_url}/verimor"
    )
    foreign = Fernet(Fernet.generate_key()).encrypt(b'{"api_key": "x"}').decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_provideraccount SET credentials = %s WHERE id = %s", [foreign, account.pk])

    page.goto("/team/providers/")
    page.get_by_role("row", name="Verimor old").get_by_text("credentials unreadable — re-enter them").wait_for()
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("cannot be read: an admin must re-enter them").wait_for()

    page.get_by_role("link", name="Verimor old").first.click()
    page.get_by_text("credentials unreadable — re-enter them").wait_for()
    page.get_by_label("API key").fill(DEMO_CREDENTIALS["key"])
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Provider account Verimor old saved.").wait_for()
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Verimor old: Connected.").wait_for()
