"""Live calls with disconnect, and the PBX page; a slow or down provider shows a banner and stale data."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from sandbox.pasifik import LIVE_SLOT_SECONDS
from telephony.models import StatusSnapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik")


def live_calls(client, sandbox) -> list[dict]:
    """Steps the sandbox clock until a telephone call is live."""
    for _ in range(60):
        response = client.get(reverse("calls-live"))
        calls = response.context["statuses"][0].telephone.data["calls"]
        if calls:
            return calls
        sandbox.clock.advance(LIVE_SLOT_SECONDS / 3)
    raise AssertionError("no live call came up")


def test_it_shows_live_telephone_calls_and_pbx_channels(alice_client, account, sandbox) -> None:
    calls = live_calls(alice_client, sandbox)
    response = alice_client.get(reverse("calls-live"), {"fragment": "1"})
    assert response.status_code == 200
    assert f'data-call-id="{calls[0]["id"]}"'.encode() in response.content
    assert b"<html" not in response.content  # the htmx fragment, not the page
    assert "channels" in response.context["statuses"][0].pbx.data


def test_an_operator_disconnects_a_live_call_and_it_is_gone_next_time(alice_client, alice, account, sandbox) -> None:
    call = live_calls(alice_client, sandbox)[0]
    response = alice_client.post(reverse("calls-live"), {"account": account.pk, "call_id": call["id"]}, follow=True)
    assert b"The call was disconnected." in response.content
    assert call["id"] not in [c["id"] for c in response.context["statuses"][0].telephone.data["calls"]]
    event = AuditEvent.objects.get(action="calls.disconnect")
    assert event.actor == alice and event.data == {"call_id": call["id"], "outcome": "disconnected"}
    assert [r.json() for r in sandbox.requests_for("pasifik", "tel/live/disconnect")] == [{"id": call["id"]}]


def test_disconnecting_a_call_that_already_ended_says_so(alice_client, account, sandbox) -> None:
    call = live_calls(alice_client, sandbox)[0]
    alice_client.post(reverse("calls-live"), {"account": account.pk, "call_id": call["id"]})
    response = alice_client.post(reverse("calls-live"), {"account": account.pk, "call_id": call["id"]}, follow=True)
    assert b"The call had already ended." in response.content
    assert AuditEvent.objects.filter(action="calls.disconnect", data__outcome="already_ended").exists()


def test_a_viewer_sees_no_disconnect_button_and_may_not_post(bob_client, account, sandbox) -> None:
    live_calls(bob_client, sandbox)
    assert b"Disconnect" not in bob_client.get(reverse("calls-live")).content
    assert bob_client.post(reverse("calls-live"), {"account": account.pk, "call_id": 1}).status_code == 403


def test_another_teams_account_cannot_be_used_to_disconnect(alice_client, team_b, sandbox_account) -> None:
    theirs = sandbox_account(team_b, "pasifik")
    response = alice_client.post(reverse("calls-live"), {"account": theirs.pk, "call_id": 10}, follow=True)
    assert b"Choose a live call to disconnect." in response.content
    assert not AuditEvent.objects.filter(action="calls.disconnect").exists()


def test_a_provider_that_is_down_shows_a_banner_and_the_last_known_calls(alice_client, account, sandbox) -> None:
    calls = live_calls(alice_client, sandbox)
    sandbox.inject("503", provider="pasifik", path="tel/live", times=5)
    response = alice_client.get(reverse("calls-live"))
    assert response.status_code == 200
    status = response.context["statuses"][0]
    assert status.telephone.stale and status.telephone.data["calls"] == calls
    assert not status.pbx.stale  # the PBX still answers: its channels stay fresh
    assert b'data-testid="stale-banner"' in response.content
    assert b"did not answer in time" in response.content


def test_a_slow_provider_is_given_up_on_within_the_timeout(alice_client, account, sandbox, settings) -> None:
    settings.PROVIDER_QUICK_TIMEOUT = (1.0, 0.5)
    sandbox.inject("latency", provider="pasifik", path="tel/live", delay=2.0, times=1)
    began = time.monotonic()
    response = alice_client.get(reverse("calls-live"))
    assert time.monotonic() - began < 1.9
    assert response.status_code == 200
    assert response.context["statuses"][0].telephone.stale
    assert b"Nothing is known yet." in response.content


def test_the_pbx_page_flags_unknown_and_unreachable_peers_and_parses_latency(alice_client, account, sandbox) -> None:
    response = alice_client.get(reverse("pbx"))
    assert response.status_code == 200
    peers = {p["name"]: p for p in response.context["statuses"][0].data["peers"]}
    assert peers["908505320100"]["latency_ms"] == 15 and peers["908505320100"]["level"] == "ok"
    assert peers["104"]["level"] == "unknown" and peers["105"]["level"] == "unreachable"
    assert b"Unreachable" in response.content and b"The PBX is online and answers the API." in response.content


def test_the_sip_secret_is_never_shown_or_stored(alice_client, account, sandbox) -> None:
    response = alice_client.get(reverse("pbx"))
    raw = sandbox.requests_for("pasifik", "sipextensions")
    assert raw
    snapshot = StatusSnapshot.objects.get(account=account, kind="pbx")
    assert "secret" not in str(snapshot.data)
    assert b"secret" not in response.content.lower()
    extensions = {e["name"]: e for e in snapshot.data["extensions"]}
    assert extensions["100"]["settings"]["callerid"] == "100 <100>"


@pytest.mark.parametrize(
    ("central", "message"),
    [("oflin", "The PBX is offline."), ("noact", "not active on this account"), ("onlin", "API access is not enabled"),
     ("noreg", "No PBX is registered")],
)  # fmt: skip
def test_pbx_state_codes_become_a_human_message(alice_client, account, sandbox, central, message) -> None:
    alice_client.get(reverse("pbx"))
    sandbox.by_name["pasifik"].pbx_central = central
    response = alice_client.get(reverse("pbx"))
    assert response.status_code == 200
    assert message.encode() in response.content
    assert response.context["statuses"][0].stale
    assert response.context["statuses"][0].data["peers"]  # the last known peers, marked stale


def test_an_offline_pbx_does_not_hide_the_telephone_calls(alice_client, account, sandbox) -> None:
    live_calls(alice_client, sandbox)
    sandbox.by_name["pasifik"].pbx_central = "oflin"
    response = alice_client.get(reverse("calls-live"))
    status = response.context["statuses"][0]
    assert not status.telephone.stale and status.telephone.data["calls"]
    assert status.pbx.stale
    assert b"The PBX is offline." in response.content
