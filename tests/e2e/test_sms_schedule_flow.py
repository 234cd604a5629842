"""A person schedules an SMS for later, changes its text and time, then cancels it: the provider never hears of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from messaging.models import SmsBatch
from messaging.services.scheduled import sms_scheduled_release
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_schedule_an_sms_change_it_cancel_it_and_the_sandbox_never_receives_it(page, sandbox, sandbox_account) -> None:
    team = TeamFactory(name="Ankara Office", time_zone="Europe/Istanbul")
    MembershipFactory(team=team, user=UserFactory(email="alice@example.com"), role=Role.OPERATOR)
    account = sandbox_account(team, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO"]}
    account.save()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()

    later = timezone.localtime(timezone.now() + timedelta(days=2), team.tzinfo).replace(second=0, microsecond=0)
    page.goto("/sms/new/")
    page.locator("#id_recipients").fill("0532 111 11 11, 0532 222 22 22")
    page.get_by_label("Text").fill("Yarın 10:00'da toplantı")
    page.get_by_label("Send at").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#send").click()
    page.get_by_text("The send waits here until its time").wait_for()
    expect(page.locator("[data-batch-state]")).to_have_text("Scheduled")
    assert "(Europe/Istanbul)" in page.locator("[data-scheduled-time]").inner_text()
    expect(page.locator("[data-countdown]")).to_contain_text("goes out in 1 day ")  # the script counts down

    page.locator("#edit-scheduled").click()
    page.get_by_role("heading", name="Change a scheduled SMS").wait_for()
    assert page.get_by_label("Text").input_value() == "Yarın 10:00'da toplantı"
    moved = later + timedelta(hours=1)
    page.get_by_label("Text").fill("Toplantı yarın 11:00'de")
    page.get_by_label("Send at").fill(moved.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#save-schedule").click()
    page.get_by_role("heading", name="Review the changed SMS before it is saved").wait_for()
    assert page.locator("[data-review=total-parts]").inner_text() == "2"
    page.get_by_role("button", name="Confirm and save").click()
    page.get_by_text("The scheduled send is changed.").wait_for()
    assert page.locator("text=Toplantı yarın 11:00'de").count() >= 1
    batch = SmsBatch.objects.get()
    assert batch.state == SmsBatch.State.SCHEDULED
    assert timezone.localtime(batch.scheduled_at, team.tzinfo) == moved

    page.locator("#cancel-scheduled").click()
    page.get_by_text("The scheduled send is cancelled").wait_for()
    expect(page.locator("[data-batch-state]")).to_have_text("Cancelled")
    expect(page.locator("#edit-scheduled")).to_have_count(0)

    # Past its time, the worker's release finds nothing to send: the provider never heard of it.
    assert sms_scheduled_release(now=batch.scheduled_at + timedelta(hours=1)) == 0
    assert sandbox.requests_for("pasifik", "sms/submit") == []
    assert sandbox.requests_for("pasifik", "sms/") == []
