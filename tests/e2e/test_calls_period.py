"""On the calls page the period select and the date fields agree, before and after filtering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.roles import Role
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, ProviderAccountFactory, TeamFactory, UserFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_typed_dates_make_the_period_custom_and_a_named_period_clears_them(browser, live_server) -> None:
    team = TeamFactory(name="Call Centre")
    user = UserFactory(email="olga@example.com")
    MembershipFactory(team=team, user=user, role=Role.VIEWER)
    CallRecordFactory(account=ProviderAccountFactory(team=team), start=datetime(2026, 3, 2, 9, tzinfo=UTC))
    context, page = signed_in_page(browser, live_server, user)
    try:
        page.goto("/calls/")
        period = page.get_by_label("Period")
        assert period.input_value() == "30d"
        page.get_by_label("From").fill("2026-03-02")
        page.get_by_label("Until").fill("2026-03-02")
        assert period.input_value() == "custom"
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**date_from=2026-03-02**")
        assert page.get_by_label("Period").input_value() == "custom"
        assert page.get_by_test_id("calls-table").locator("tbody tr").count() == 1

        page.get_by_label("Period").select_option("7d")
        assert page.get_by_label("From").input_value() == "" and page.get_by_label("Until").input_value() == ""
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**preset=7d**")
        assert page.get_by_label("Period").input_value() == "7d"
    finally:
        context.close()
