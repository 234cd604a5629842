"""A person filters call records, plays a recording and seeks in it, then cuts a live call."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from sandbox.pasifik import DEMO_TELEPHONE_IDS, LIVE_SLOT_SECONDS
from telephony import services
from telephony.models import CallRecord
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("olga@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Calls", exact=True).wait_for()


def test_filter_calls_play_a_recording_seek_and_disconnect_a_live_call(
    page, sandbox, sandbox_account, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Call Centre")
    MembershipFactory(team=team, user=UserFactory(email="olga@example.com"), role=Role.OPERATOR)
    account = sandbox_account(team, "pasifik")
    services.calls_import(account=account, now=sandbox.clock.now())
    assert CallRecord.objects.filter(has_recording=True, duration__gte=30).exists()

    _log_in(page)
    page.get_by_role("link", name="Calls", exact=True).click()
    page.get_by_label("Result", exact=True).select_option("answered")
    page.get_by_label("Recording", exact=True).select_option("true")
    page.get_by_label("Min. duration (s)").fill("30")
    page.get_by_role("button", name="Filter").click()
    page.get_by_test_id("calls-chart").wait_for()
    results = page.get_by_test_id("calls-table").locator("tbody tr")
    assert results.count() > 0
    assert set(page.get_by_test_id("calls-table").locator("tbody .badge").all_inner_texts()) == {"Answered"}

    results.first.get_by_role("button", name="Play recording").click()
    player = page.get_by_test_id("player").first
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-player] audio');"
        " return a && a.readyState >= 1 && a.seekable.length > 0 && a.duration > 12; }"
    )
    page.get_by_role("button", name="+10 s").first.click()
    page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime >= 10")
    page.get_by_role("button", name="−10 s").first.click()
    page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime < 10")
    page.locator("[data-speed]").first.select_option("1.5")
    assert player.evaluate("audio => audio.playbackRate") == 1.5

    # A live call: step the sandbox clock until one is up.
    for _ in range(60):
        live = services.live_calls_status(team=team)[0].telephone.data["calls"]
        if live:
            break
        sandbox.clock.advance(LIVE_SLOT_SECONDS / 3)
    else:
        raise AssertionError("no live call came up")
    assert live[0]["i_account"] in DEMO_TELEPHONE_IDS
    page.get_by_role("link", name="Live", exact=True).click()
    row = page.locator(f'tr[data-call-id="{live[0]["id"]}"]')
    row.wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Disconnect").click()
    page.get_by_text("The call was disconnected.").wait_for()
    assert page.locator(f'tr[data-call-id="{live[0]["id"]}"]').count() == 0
