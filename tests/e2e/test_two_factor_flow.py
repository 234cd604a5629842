"""A person turns on two-factor login, logs in with a code, then with a recovery code;
the owner makes it compulsory and a colleague is sent to turn it on. The browser's
console must show no Content-Security-Policy violation on the way."""

from __future__ import annotations

import base64
import time

import pytest

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def totp_code(manual_key: str, steps_ahead: int = 0) -> str:
    from django_otp.oath import TOTP

    raw = manual_key.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_turn_on_two_factor_log_in_with_codes_and_require_it_for_the_team(page) -> None:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="alice@example.com"), role=Role.OWNER)
    MembershipFactory(team=team, user=UserFactory(email="bob@example.com"), role=Role.VIEWER)

    log_in(page, "alice@example.com")
    page.get_by_role("heading", name="Ankara Office").wait_for()
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("security-link").click()
    page.get_by_role("link", name="Turn on two-factor login").click()
    assert page.get_by_test_id("qr-code").locator("svg").is_visible()
    key = page.get_by_test_id("manual-key").inner_text()
    page.get_by_role("textbox", name="Code").fill("000000" if totp_code(key) != "000000" else "111111")
    page.get_by_role("button", name="Turn on", exact=True).click()
    page.get_by_text("This code is not right.").wait_for()
    time.sleep(1.1)  # the throttle's one-second wait after a wrong code
    page.get_by_role("textbox", name="Code").fill(totp_code(key))
    page.get_by_role("button", name="Turn on", exact=True).click()
    page.get_by_text("Two-factor login is on.").wait_for()
    recovery = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(recovery) == 10

    # Require it for the team (the owner has it now).
    page.goto("/team/")
    page.get_by_label("Require two-factor login").check()
    page.get_by_test_id("team-two-factor").get_by_role("button", name="Save").click()
    page.get_by_text("Two-factor login is now required for every member of this team.").wait_for()

    # Log out and in again: the password is not enough.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "alice@example.com")
    page.get_by_role("heading", name="Enter your code").wait_for()
    page.get_by_role("textbox", name="Code").fill(totp_code(key, steps_ahead=1))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()

    # Lost phone: a recovery code works once.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "alice@example.com")
    page.get_by_role("textbox", name="Code").fill(recovery[0])
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("You used a recovery code; 9 are left.").wait_for()

    # A colleague without two-factor login is sent to turn it on.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "bob@example.com")
    page.get_by_text("Ankara Office requires two-factor login. Turn it on to continue.").wait_for()
    assert "/account/security/" in page.url
    page.get_by_role("link", name="Turn on two-factor login").click()
    bob_key = page.get_by_test_id("manual-key").inner_text()
    page.get_by_role("textbox", name="Code").fill(totp_code(bob_key))
    page.get_by_role("button", name="Turn on", exact=True).click()
    page.get_by_role("link", name="I saved them, continue").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()

    assert violations == []
