"""A person opens the dashboard, in English and in Turkish: every panel loads on its own."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.roles import Role
from fax.models import Direction, Status
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.fax.factories import FaxFactory
from tests.notifications.factories import NotificationFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PANELS = ["balance", "live", "sms", "calls", "faxes", "health"]


@pytest.fixture
def viewer(sandbox_account):
    cache.clear()
    team = TeamFactory(name="Front Office")
    user = UserFactory(email="vera@example.com")
    MembershipFactory(team=team, user=user, role=Role.VIEWER)
    account = sandbox_account(team, "pasifik", label="Pasifik main")
    CallRecordFactory(account=account, start=timezone.now())
    FaxFactory(team=team, account=account, direction=Direction.INCOMING, status=Status.RECEIVED)
    NotificationFactory(team=team, message="New fax from +90 212 555 01 99", url="/fax/")
    yield user
    cache.clear()


def _wait_for_panels(page) -> None:
    for name in PANELS:
        page.get_by_test_id(f"{name}-panel").wait_for()
    assert page.locator("[data-loading]").count() == 0
    assert page.get_by_test_id("panel-error").count() == 0


@pytest.mark.parametrize("locale", ["en-US", "tr-TR"])
def test_the_dashboard_loads_every_panel(locale, browser, live_server, viewer, sandbox) -> None:
    context, page = signed_in_page(browser, live_server, viewer, locale)
    try:
        page.goto("/")
        _wait_for_panels(page)
        amount = page.get_by_test_id("balance-amount").inner_text()  # once the worker read it (the panel asks again)
        assert page.get_by_test_id("calls-answered").inner_text() == "1"
        assert page.get_by_test_id("notification-count").inner_text() == "1"
        language = page.locator("html").get_attribute("lang")
        if locale == "tr-TR":
            assert language == "tr" and amount.startswith("718,21")  # Turkish decimal comma
            assert "Gelen" in page.get_by_test_id("faxes-panel").inner_text()
        else:
            assert language == "en" and amount.startswith("718.21")
            assert "Incoming" in page.get_by_test_id("faxes-panel").inner_text()
            assert "Provider health" in page.locator("#panel-health").inner_text()

        page.get_by_test_id("notification-bell").click()
        page.get_by_text("New fax from +90 212 555 01 99").click()
        page.wait_for_url("**/fax/")
        assert page.get_by_test_id("notification-count").count() == 0
    finally:
        context.close()


def test_a_provider_that_is_down_shows_in_its_panel_while_the_others_load(
    browser, live_server, viewer, sandbox
) -> None:
    sandbox.inject("503", provider="pasifik", times=1000)
    context, page = signed_in_page(browser, live_server, viewer, "en-US")
    try:
        page.goto("/")
        _wait_for_panels(page)
        failure = page.get_by_test_id("balance-panel").get_by_test_id("provider-failure")
        failure.wait_for()  # once the worker has tried (the panel asks again meanwhile)
        assert "Provider slow or down" in failure.inner_text()
        assert "Provider slow or down" in page.get_by_test_id("live-panel").inner_text()
        assert page.get_by_test_id("calls-answered").inner_text() == "1"
    finally:
        context.close()
