"""With the provider down, the dashboard says so everywhere: no "OK" next to "slow or down", no "0 calls right now"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.roles import Role
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_provider_that_is_down_is_not_ok_anywhere_on_the_dashboard(
    browser, live_server, sandbox, sandbox_account
) -> None:
    cache.clear()
    team = TeamFactory(name="Front Office")
    user = UserFactory(email="vera@example.com")
    MembershipFactory(team=team, user=user, role=Role.VIEWER)
    account = sandbox_account(team, "pasifik", label="Pasifik main")
    account.last_checked_at, account.last_error = timezone.now() - timedelta(minutes=5), ""  # the last check passed
    account.save()
    sandbox.inject("503", provider="pasifik", times=1000)

    context, page = signed_in_page(browser, live_server, user)
    try:
        page.goto("/")
        page.get_by_test_id("live-panel").get_by_text("Provider slow or down").wait_for()
        assert page.get_by_test_id("live-total").inner_text() == "Unknown"
        health = page.get_by_test_id("health-panel")
        health.locator('[data-health="slow_or_down"]').wait_for()  # refreshed at once, not a minute later
        assert health.locator('[data-health="ok"]').count() == 0
    finally:
        context.close()
        cache.clear()
