"""A supervisor opens the call statistics from the nav, narrows the period, sees the top callers arrive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from telephony import services
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_statistics_from_the_nav_with_a_period_and_the_top_callers(page, sandbox, sandbox_account) -> None:
    team = TeamFactory(name="Call Centre")
    MembershipFactory(team=team, user=UserFactory(email="sibel@example.com"), role=Role.VIEWER)
    services.calls_import(account=sandbox_account(team, "pasifik"), now=sandbox.clock.now())
    last = timezone.localtime(sandbox.clock.now(), team.tzinfo).date()

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("sibel@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Call statistics", exact=True).first.click()
    page.get_by_label("From").fill((last - timedelta(days=13)).isoformat())
    page.get_by_label("Until").fill(last.isoformat())
    page.get_by_role("button", name="Show").click()
    page.get_by_test_id("stats-heatmap").wait_for()
    assert page.get_by_test_id("stats-summary").locator("[data-figure=total]").inner_text() != "0"
    page.get_by_test_id("stats-callers").wait_for()  # loaded by htmx after the page
    assert page.get_by_test_id("stats-callers").locator("tbody tr").count() == 10

    page.get_by_label("From").fill((last - timedelta(days=400)).isoformat())
    page.get_by_role("button", name="Show").click()
    assert "A period of at most 366 days can be analysed" in page.get_by_test_id("stats-error").inner_text()
    assert page.get_by_label("From").input_value() == (last - timedelta(days=400)).isoformat()
