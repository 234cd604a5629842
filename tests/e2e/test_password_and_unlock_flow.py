"""A member locks themself out, sees the wait in words, an admin unlocks them from the
members page, and they change their password from the Security page."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, User
from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a fresh passphrase 42"


def log_in(page, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_locked_out_unlocked_then_password_changed(browser, live_server, settings) -> None:
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="admin@example.com"), role=Role.ADMIN)
    MembershipFactory(team=team, user=UserFactory(email="vic@example.com", full_name="Vic Viewer"), role=Role.VIEWER)

    member = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(member, "vic@example.com", "wrong")
    log_in(member, "vic@example.com")
    message = member.get_by_test_id("lockout-message").inner_text()
    assert "15 minutes" in message.replace("\xa0", " ") and "PT15M" not in message

    admin = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    log_in(admin, "admin@example.com")
    admin.get_by_role("heading", name="Ankara Office").wait_for()
    admin.goto("/team/members/")
    row = admin.get_by_role("row").filter(has_text="vic@example.com")
    row.get_by_text("Locked out").wait_for()
    row.get_by_role("button", name="Unlock").click()
    admin.get_by_text("Vic Viewer can log in again.").wait_for()
    assert AuditEvent.objects.filter(action="member.unlock", actor_email="admin@example.com").exists()

    log_in(member, "vic@example.com")
    member.get_by_role("heading", name="Ankara Office").wait_for()
    member.get_by_test_id("account-menu").click()
    member.get_by_test_id("security-link").click()
    member.get_by_role("link", name="Change password").click()
    member.get_by_label("Old password").fill(TEST_PASSWORD)
    member.locator("#id_new_password1").fill(NEW_PASSWORD)
    member.locator("#id_new_password2").fill(NEW_PASSWORD)
    member.get_by_role("button", name="Change password").click()
    member.get_by_text("Your password was changed.").wait_for()
    assert User.objects.get(email="vic@example.com").check_password(NEW_PASSWORD)
    member.context.close()
    admin.context.close()
