"""A person watches a batch whose send stopped: the page says "stalled, resuming", not a frozen bar,
and turns back into progress once the watchdog has resumed it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from messaging.models import SmsBatch
from messaging.numbers import Number
from messaging.recipients import Recipient
from messaging.services import create, send_queue
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_stalled_batch_says_so_and_shows_progress_again_once_resumed(
    page, sandbox, sandbox_account, monkeypatch
) -> None:
    team = TeamFactory(name="Ankara Office")
    alice = MembershipFactory(team=team, user=UserFactory(email="alice@example.com"), role=Role.OWNER).user
    account = sandbox_account(team, "pasifik")
    with monkeypatch.context() as patch:
        patch.setattr(send_queue, "sms_batch_queue", lambda *args, **kwargs: None)  # the worker that took it died
        batch = create.sms_batch_create(
            create.BatchRequest(
                team=team,
                account=account,
                actor=alice,
                sender="DEMO",
                text="Kargonuz yola çıktı.",
                recipients=[Recipient(Number(f"+90532111110{n}")) for n in range(4)],
            )
        )
    SmsBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() - timedelta(minutes=2))

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()
    page.goto(f"/sms/{batch.pk}/")

    assert page.locator("[data-batch-state]").inner_text() == "Stalled, resuming"
    assert page.locator("[data-stalled]").is_visible()
    assert page.locator("#progress .progress-bar").count() == 0  # no frozen bar pretending to move

    send_queue.sms_send_watchdog()  # what beat runs every few seconds: the send goes again (eagerly here)
    assert SmsBatch.objects.get(pk=batch.pk).state == SmsBatch.State.SUBMITTED

    from playwright.sync_api import expect

    expect(page.locator("[data-batch-state]")).to_have_text("Submitted")  # the page's poll, every 2 s
    assert page.locator("[data-stalled]").count() == 0
    assert page.locator("#progress .progress-bar").inner_text() == "100%"
