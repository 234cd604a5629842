"""The dashboard never contradicts itself: a provider seen failing is not "OK", an unknowable count is unknown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dashboard import reads

pytestmark = pytest.mark.django_db


@pytest.fixture
def pasifik(team_a, sandbox_account):
    account = sandbox_account(team_a, "pasifik", label="Pasifik main")
    # The periodic check passed five minutes ago.
    account.last_checked_at, account.last_error = timezone.now() - timedelta(minutes=5), ""
    account.save()
    return account


def panel(client, name):
    response = client.get(reverse(f"dashboard-{name}"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response


def _health_badge(html: str, account) -> str:
    item = html.split(f'data-testid="health-{account.pk}"')[1].split("</li>")[0]
    return re.search(r'data-health="([a-z_]+)"', item).group(1)


@pytest.mark.parametrize("name", ["live", "balance"])
def test_a_provider_a_panel_saw_fail_is_not_ok_in_the_health_panel(
    alice_client, pasifik, sandbox, name, django_capture_on_commit_callbacks
) -> None:
    assert _health_badge(panel(alice_client, "health").content.decode(), pasifik) == "ok"
    sandbox.inject("503", provider="pasifik", times=100)

    if name == "balance":  # the panel asks the worker, which reads the balance
        with django_capture_on_commit_callbacks(execute=True):
            panel(alice_client, name)
    failed = panel(alice_client, name)
    assert "Provider slow or down" in failed.content.decode()
    assert failed["HX-Trigger"] == "provider-health"  # the health panel reads again at once

    html = panel(alice_client, "health").content.decode()
    assert _health_badge(html, pasifik) == "slow_or_down"
    assert 'data-health="ok"' not in html
    page = alice_client.get(reverse("dashboard")).content.decode()  # the health panel that comes with the page too
    assert _health_badge(page, pasifik) == "slow_or_down"


def test_a_newer_periodic_check_wins_over_an_older_failed_reading(alice_client, pasifik, sandbox) -> None:
    sandbox.inject("503", provider="pasifik", times=100)
    panel(alice_client, "live")
    pasifik.last_checked_at = timezone.now() + timedelta(seconds=1)
    pasifik.save()
    assert _health_badge(panel(alice_client, "health").content.decode(), pasifik) == "ok"


def test_a_panel_that_read_fine_sends_no_health_refresh(alice_client, pasifik, sandbox) -> None:
    assert "HX-Trigger" not in panel(alice_client, "live")
    assert "HX-Trigger" not in panel(alice_client, "balance")


def test_live_calls_are_unknown_when_the_provider_cannot_be_read(alice_client, pasifik, sandbox) -> None:
    sandbox.inject("503", provider="pasifik", times=100)
    html = panel(alice_client, "live").content.decode()
    assert 'data-testid="live-total">Unknown<' in html
    assert 'data-testid="live-total">0<' not in html and "calls right now" not in html
    assert "No reading has worked yet." in html


def test_unknown_says_how_old_the_last_good_reading_is(alice_client, pasifik, sandbox) -> None:
    good = panel(alice_client, "live")
    total = int(re.search(r'data-testid="live-total">(\d+)<', good.content.decode()).group(1))
    # That reading was taken ten minutes ago; the provider has failed since.
    cache.set(f"dashboard:live-good:{pasifik.pk}", reads.LastGood(total, timezone.now() - timedelta(minutes=10)))
    cache.delete(f"dashboard:live:{pasifik.pk}")
    sandbox.inject("503", provider="pasifik", times=100)

    html = panel(alice_client, "live").content.decode()
    assert 'data-testid="live-total">Unknown<' in html
    last_known = html.split('data-testid="live-last-known">')[1].split("</p>")[0]
    assert f"Last known: {total} call" in last_known and "10\xa0minutes ago" in last_known
