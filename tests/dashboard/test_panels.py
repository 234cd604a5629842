"""Every dashboard panel renders for every role, with data and with a failing provider."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from fax.models import Direction, Status
from messaging.models import SmsRecipient
from telephony.models import Disposition
from tests.conftest import client_for
from tests.fax.factories import FaxFactory
from tests.messaging.factories import SmsBatchFactory, SmsChunkFactory, SmsRecipientFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

PANELS = ["balance", "live", "sms", "calls", "faxes", "health"]


@pytest.fixture
def pasifik(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik", label="Pasifik main")


@pytest.fixture
def sample_data(team_a, pasifik):
    now = timezone.now()
    batch = SmsBatchFactory(team=team_a, account=pasifik)
    chunk = SmsChunkFactory(batch=batch)
    for state in ("delivered", "delivered", "undelivered", "waiting"):
        SmsRecipientFactory(chunk=chunk, batch=batch, state=state)
    old = SmsBatchFactory(team=team_a, account=pasifik)
    SmsBatchFactory._meta.model.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=3))
    SmsRecipientFactory(chunk=SmsChunkFactory(batch=old), batch=old, state="delivered")
    CallRecordFactory(account=pasifik, start=now, duration=120, disposition=Disposition.ANSWERED)
    CallRecordFactory(account=pasifik, start=now, duration=60, disposition=Disposition.ANSWERED)
    CallRecordFactory(account=pasifik, start=now, duration=0, disposition=Disposition.NO_ANSWER)
    CallRecordFactory(account=pasifik, start=now - timedelta(days=3), disposition=Disposition.BUSY)
    FaxFactory(team=team_a, account=pasifik, direction=Direction.INCOMING, status=Status.RECEIVED,
               remote_number="902125550199")  # fmt: skip
    FaxFactory(team=team_a, account=pasifik, direction=Direction.OUTGOING, status=Status.FAILED,
               remote_number="902125550188")  # fmt: skip
    return batch


def panel(client, name):
    response = client.get(reverse(f"dashboard-{name}"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200, name
    return response.content.decode()


def read_by_the_worker(client, capture, name="balance"):
    """The panel as it reads once the worker has done the refresh the first view asked for."""
    with capture(execute=True):
        panel(client, name)
    return panel(client, name)


def test_the_page_loads_each_panel_on_its_own(alice_client) -> None:
    page = alice_client.get(reverse("dashboard")).content.decode()
    for name in PANELS:
        assert f'hx-get="{reverse(f"dashboard-{name}")}"' in page
    assert page.count('hx-trigger="load') == len(PANELS) - 1
    assert 'hx-trigger="load, every 30s"' in page  # live calls keep themselves fresh
    assert 'hx-trigger="every 60s, provider-health from:body"' in page  # and again when a panel saw a failure
    assert 'data-testid="health-panel"' in page  # health comes with the page


def test_provider_health_comes_with_the_page_and_refreshes_itself(alice_client, team_a) -> None:
    from tests.factories import ProviderAccountFactory

    ProviderAccountFactory(team=team_a, label="Verimor fax", kind="verimor")
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="health-panel"' in page and "Verimor fax" in page


@pytest.mark.parametrize("role", list(Role))
def test_every_panel_renders_for_every_role_with_sample_data(role, team_a, member_of, sample_data, sandbox) -> None:
    client = client_for(member_of(team_a, role))
    for name in PANELS:
        assert f'data-testid="{name}-panel"' in panel(client, name)


def test_the_balance_panel_shows_each_pasifik_balance_and_warns_under_the_threshold(
    alice_client, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    html = read_by_the_worker(alice_client, django_capture_on_commit_callbacks)
    assert "Pasifik main" in html and "718.21" in html and 'data-testid="low-balance"' not in html

    pasifik.options = {**pasifik.options, "low_balance_threshold": "1000"}
    pasifik.save()
    html = panel(alice_client, "balance")
    assert 'data-testid="low-balance"' in html and "1000" in html


def test_the_balance_panel_never_waits_on_the_provider_it_asks_the_worker_and_polls(
    alice_client, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        html = panel(alice_client, "balance")
    assert sandbox.requests_for("pasifik", "getsettings") == []
    assert 'data-testid="balance-pending"' in html and 'hx-trigger="load delay:2s"' in html
    assert len(queued) == 1
    queued[0]()  # the worker reads it
    html = panel(alice_client, "balance")
    assert "718.21" in html and "hx-get" not in html


def test_provider_reads_are_cached_briefly_per_account(
    alice_client, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    read_by_the_worker(alice_client, django_capture_on_commit_callbacks)
    panel(alice_client, "balance")
    panel(alice_client, "live")
    panel(alice_client, "live")
    assert len(sandbox.requests_for("pasifik", "getsettings")) == 1
    assert len(sandbox.requests_for("pasifik", "active")) <= 1


@pytest.mark.parametrize("fault", ["503", "timeout", "malformed", "expired-token"])
def test_a_failing_provider_gives_a_clear_message_in_its_panel_never_a_500(
    fault, alice_client, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject(fault, provider="pasifik", times=100, delay=1.5)
    for name in ("balance", "live"):
        html = read_by_the_worker(alice_client, django_capture_on_commit_callbacks, name)
        assert 'data-testid="provider-failure"' in html, (fault, name)
    if fault in ("503", "timeout"):
        assert "Provider slow or down" in html
    for name in ("sms", "calls", "faxes", "health"):  # panels reading the database do not care
        panel(alice_client, name)


def test_a_failure_is_cached_for_less_long_and_then_read_again(
    alice_client, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    import time_machine

    sandbox.inject("503", provider="pasifik", times=100)
    assert "Provider slow or down" in read_by_the_worker(alice_client, django_capture_on_commit_callbacks)
    sandbox.faults.clear()
    assert "Provider slow or down" in read_by_the_worker(alice_client, django_capture_on_commit_callbacks)  # cached
    with time_machine.travel(timezone.now() + timedelta(seconds=20)):
        assert "718.21" in read_by_the_worker(alice_client, django_capture_on_commit_callbacks)


def test_the_sms_panel_counts_todays_messages_by_state_and_draws_14_days(alice_client, sample_data) -> None:
    html = panel(alice_client, "sms")
    assert 'data-testid="sms-today-total">4<' in html
    assert f"{SmsRecipient.State.DELIVERED.label}: 2" in html and f"{SmsRecipient.State.WAITING.label}: 1" in html
    assert html.count("<rect ") == 2 * 14
    assert "Messages in the last 14 days: 5, 3 delivered." in html


def test_the_calls_panel_counts_answered_missed_and_minutes_today(alice_client, sample_data) -> None:
    html = panel(alice_client, "calls")
    assert 'data-testid="calls-answered">2<' in html
    assert 'data-testid="calls-missed">1<' in html
    assert 'data-testid="calls-minutes">3<' in html
    assert html.count("<rect ") == 2 * 14
    assert "4 in all, 2 answered, 2 missed" in html


def test_the_live_panel_shows_calls_right_now(alice_client, pasifik, sandbox) -> None:
    html = panel(alice_client, "live")
    assert 'data-testid="live-total">' in html and 'data-testid="provider-failure"' not in html


def test_the_fax_panel_shows_recent_faxes_in_and_out_with_links(alice_client, sample_data, team_a) -> None:
    html = panel(alice_client, "faxes")
    incoming = team_a.faxes.get(direction="in")
    outgoing = team_a.faxes.get(direction="out")
    assert reverse("fax-detail", args=[incoming.pk]) in html.split('data-testid="faxes-in"')[1].split("</ul>")[0]
    assert reverse("fax-detail", args=[outgoing.pk]) in html.split('data-testid="faxes-out"')[1]
    assert "+90 212 555 01 99" in html


def test_the_health_panel_shows_last_check_and_last_error(alice_client, team_a, pasifik) -> None:
    pasifik.last_checked_at = timezone.now()
    pasifik.last_error = "The provider refused the credentials."
    pasifik.save()
    html = panel(alice_client, "health")
    assert "Pasifik main" in html and "failing" in html and "The provider refused the credentials." in html
    assert "Last checked" in html


def test_panels_of_a_team_without_accounts_or_data_say_so(alice_client) -> None:
    assert "No Pasifik Telekom account yet." in panel(alice_client, "balance")
    assert "No provider account yet." in panel(alice_client, "health")
    assert "None yet." in panel(alice_client, "faxes")
    assert 'data-testid="sms-today-total">0<' in panel(alice_client, "sms")


def test_panels_show_only_the_current_teams_data(team_b, sample_data) -> None:
    from tests.factories import MembershipFactory, UserFactory

    outsider = UserFactory()
    MembershipFactory(team=team_b, user=outsider, role=Role.OWNER)
    client = client_for(outsider)
    assert 'data-testid="sms-today-total">0<' in panel(client, "sms")
    assert "Pasifik main" not in panel(client, "balance") and "Pasifik main" not in panel(client, "health")
    assert 'data-testid="calls-answered">0<' in panel(client, "calls")
