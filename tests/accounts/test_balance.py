"""One cached balance: the low-balance check, New SMS and the dashboard read the same reading."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.balance import cached_balance
from notifications import services

pytestmark = pytest.mark.django_db


def test_what_the_low_balance_check_read_is_what_every_page_shows_without_asking_again(
    alice_client, team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "pasifik", label="Pasifik main")
    account.options = {**account.options, "low_balance_threshold": "1000000", "sender_ids": ["DEMO"]}
    account.save()

    assert services.balance_check(account=account) == "low"  # the worker's periodic check
    assert str(cached_balance(account).amount) == "718.21"
    asked = len(sandbox.requests_for("pasifik", "getsettings"))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        compose = alice_client.get(reverse("sms-new")).content.decode()
        panel = alice_client.get(reverse("dashboard-balance"), HTTP_HX_REQUEST="true").content.decode()
    assert "718.21 TRY" in compose and "718.21" in panel and 'data-testid="low-balance"' in panel
    assert queued == [] and len(sandbox.requests_for("pasifik", "getsettings")) == asked  # fresh: nobody asked


def test_a_failed_read_explains_itself_and_keeps_the_last_known_amount(
    alice_client, team_a, sandbox_account, sandbox
) -> None:
    account = sandbox_account(team_a, "pasifik", label="Pasifik main")
    account.options = {**account.options, "low_balance_threshold": "10"}
    account.save()
    assert services.balance_check(account=account) == "ok"
    sandbox.inject("503", provider="pasifik", times=100)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert services.balance_check(account=account) == "unreadable"
        panel = alice_client.get(reverse("dashboard-balance"), HTTP_HX_REQUEST="true").content.decode()
    assert "718.21" in panel and 'data-testid="provider-failure"' in panel
    assert 'data-testid="balance-last-known"' in panel and "5\xa0minutes ago" in panel
