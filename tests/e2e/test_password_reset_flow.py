"""A member who forgot the password asks for a link, gets it by email, sets a new password and
logs in with it; the old password no longer works."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a fresh passphrase 42"


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_forgot_password_email_new_password_log_in(page, live_server) -> None:
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="vic@example.com"), role=Role.VIEWER)

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email").fill("vic@example.com")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_test_id("reset-sent").wait_for()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", mail.outbox[0].body)
    assert link is not None
    page.goto(link.group(0))
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    page.get_by_test_id("reset-complete").wait_for()

    log_in(page, "vic@example.com", TEST_PASSWORD)
    page.get_by_text("The email address or password is not right.").wait_for()
    log_in(page, "vic@example.com", NEW_PASSWORD)
    page.get_by_role("heading", name="Ankara Office").wait_for()

    page.goto(link.group(0))
    page.get_by_test_id("reset-link-invalid").wait_for()
