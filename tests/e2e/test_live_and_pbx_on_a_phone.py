"""At 390 px wide (a phone), the live calls and PBX pages fit the screen and Disconnect can be reached."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from sandbox.pasifik import LIVE_SLOT_SECONDS
from telephony import services
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(params=["en-US", "tr-TR"])
def phone(request, browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale=request.param, viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name='username']").fill(email)
    page.locator("input[name='password']").fill(TEST_PASSWORD)
    page.locator("input[name='password']").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_live_calls_and_pbx_fit_a_phone_and_disconnect_is_on_screen(phone, sandbox, sandbox_account) -> None:
    team = TeamFactory(name="Call Centre")
    MembershipFactory(team=team, user=UserFactory(email="pia@example.com"), role=Role.OPERATOR)
    sandbox_account(team, "pasifik")
    for _ in range(60):  # step the sandbox clock until a telephone call is live
        if services.live_calls_status(team=team)[0].telephone.data["calls"]:
            break
        sandbox.clock.advance(LIVE_SLOT_SECONDS / 3)
    else:
        raise AssertionError("no live call came up")

    _log_in(phone, "pia@example.com")
    phone.goto("/calls/live/")
    disconnect = phone.get_by_test_id("live-calls").locator("button[type='submit']").first  # "Disconnect"/"Sonlandır"
    disconnect.wait_for()
    assert phone.evaluate(OVERFLOW) == 0, "the live calls page is wider than the phone"
    box = disconnect.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    disconnect.scroll_into_view_if_needed()
    assert disconnect.is_visible()
    # The row's cells are labelled once the header row is hidden.
    assert phone.get_by_test_id("live-calls").locator("thead").is_hidden()

    phone.goto("/pbx/")
    phone.get_by_test_id("sip-peers").wait_for()
    assert phone.get_by_test_id("sip-peers").locator("tbody tr").count() > 0
    assert phone.evaluate(OVERFLOW) == 0, "the PBX page is wider than the phone"
