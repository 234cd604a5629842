"""The waveform beside the player: it appears once the recording is stored, a click seeks the player,
and the keyboard moves in it like a slider."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from accounts.roles import Role
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, ProviderAccountFactory, TeamFactory
from tests.telephony.factories import CallRecordFactory
from tests.telephony.test_waveform import burst_then_silence_wav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_waveform_shows_and_a_click_seeks_the_player(browser, live_server, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Call Centre")
    operator = MembershipFactory(team=team, role=Role.OPERATOR).user
    # Stored before waveforms existed (no peaks yet): the page asks for them once it has loaded.
    call = CallRecordFactory(
        account=ProviderAccountFactory(team=team), recording_name="in-1.wav", has_recording=True, duration=2
    )
    call.recording.save(f"call-{call.pk}.wav", ContentFile(burst_then_silence_wav()), save=True)

    context, page = signed_in_page(browser, live_server, operator)
    try:
        page.goto(f"/calls/{call.pk}/")
        wave = page.get_by_test_id("waveform")
        wave.wait_for()
        assert page.locator("[data-waveform] path").get_attribute("d").count("M") > 100
        page.wait_for_function("() => document.querySelector('[data-player] audio').readyState >= 1")
        assert page.evaluate("() => document.querySelector('[data-player] audio').currentTime") == 0

        box = wave.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
        page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime > 1.2")
        position = page.evaluate("() => document.querySelector('[data-player] audio').currentTime")
        assert 1.3 <= position <= 1.7  # three quarters of the two seconds
        assert float(page.locator(".waveform-played").get_attribute("width")) > 0

        # The keyboard: a slider that Home and the arrows move.
        assert wave.get_attribute("role") == "slider" and wave.get_attribute("tabindex") == "0"
        wave.focus()
        page.keyboard.press("Home")
        page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime === 0")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('[data-player] audio').currentTime > 1.9")
    finally:
        context.close()
