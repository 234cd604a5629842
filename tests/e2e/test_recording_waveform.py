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


def test_without_javascript_the_waveform_is_a_picture_beside_the_plain_player(browser, live_server, settings, tmp_path):
    from django.conf import settings as django_settings
    from django.test import Client

    from telephony import services

    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Call Centre")
    operator = MembershipFactory(team=team, role=Role.OPERATOR).user
    call = CallRecordFactory(
        account=ProviderAccountFactory(team=team), recording_name="in-1.wav", has_recording=True, duration=2
    )
    call.recording.save(f"call-{call.pk}.wav", ContentFile(burst_then_silence_wav()), save=True)
    services.recording_fetch(call=call)  # stored: its peaks are computed now, so the page draws them itself

    client = Client()
    client.force_login(operator)
    context = browser.new_context(base_url=live_server.url, locale="en-US", java_script_enabled=False)
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    try:
        page = context.new_page()
        page.goto(f"/calls/{call.pk}/")
        wave = page.get_by_test_id("waveform")
        assert wave.is_visible() and wave.get_attribute("role") is None  # a picture, not a slider
        assert page.get_by_test_id("player").get_attribute("controls") is not None
    finally:
        context.close()
