"""Test connection and Telsam's Connect button, against the sandbox over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from accounts.models import ProviderAccount
from accounts.provider_checks import provider_account_check
from accounts.tasks import provider_accounts_check_all
from tests.rawdb import raw_column


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("pasifik", "Balance: 718.21"),
        ("telsam", "token was issued"),
        ("verimor", "fax records in the last day"),
        ("telphin", "outgoing faxes listed"),
    ],
)
def test_test_connection_works_for_each_kind(
    alice_client: Client, team_a, sandbox, sandbox_account, kind, expected
) -> None:
    account = sandbox_account(team_a, kind)
    response = alice_client.post(reverse("provider-test", args=[account.pk]), follow=True)
    assert expected in response.content.decode()
    account.refresh_from_db()
    assert account.last_checked_at is not None
    assert account.last_error == ""
    assert team_a.audit_events.filter(action="provider.check", object_id=str(account.pk)).exists()


def test_the_pasifik_check_reads_the_balance_from_user_settings(team_a, sandbox, sandbox_account) -> None:
    account = sandbox_account(team_a, "pasifik")
    provider_account_check(account=account)
    request = sandbox.last_request("pasifik")
    assert (request.method, request.path) == ("POST", "/tr/api/user/getsettings/")


@pytest.mark.parametrize(
    ("kind", "credentials"),
    [
        ("pasifik", {"username": "demo", "password": "wrong"}),
        (
            "telsam",
            {
                "username": "demo@telsam.example",
                "password": "wrong",
                "client_id": "3",
                "client_secret": "demo-telsam-client-secret",
            },
        ),
        ("verimor", {"api_key": "wrong-key"}),
        ("telphin", {"client_id": "demo-telphin-app", "client_secret": "wrong", "extension_id": "122"}),
    ],
)
def test_refused_credentials_are_recorded_as_the_last_error(
    team_a, sandbox, sandbox_account, kind, credentials
) -> None:
    account = sandbox_account(team_a, kind, credentials=credentials)
    result = provider_account_check(account=account)
    assert not result.ok
    account.refresh_from_db()
    assert "refused the credentials" in account.last_error_text
    assert "wrong" not in account.last_error_text


def test_a_provider_that_is_down_gives_a_clear_message_not_a_crash(
    alice_client: Client, team_a, sandbox, sandbox_account
) -> None:
    account = sandbox_account(team_a, "pasifik")
    sandbox.inject("503", provider="pasifik", times=10)
    response = alice_client.post(reverse("provider-test", args=[account.pk]), follow=True)
    assert response.status_code == 200
    assert "did not answer in time or is down" in response.content.decode()


def test_the_periodic_check_visits_every_active_account(team_a, sandbox, sandbox_account) -> None:
    active = sandbox_account(team_a, "verimor")
    inactive = sandbox_account(team_a, "verimor", is_active=False)
    assert provider_accounts_check_all.delay().get() == "queued 1"
    active.refresh_from_db()
    inactive.refresh_from_db()
    assert active.last_checked_at is not None
    assert inactive.last_checked_at is None


def test_telsam_connect_trades_the_authorization_code_for_an_encrypted_token(
    alice_client: Client, team_a, sandbox, sandbox_account
) -> None:
    account = sandbox_account(
        team_a, "telsam", credentials={"client_id": "3", "client_secret": "demo-telsam-client-secret"}
    )
    response = alice_client.post(reverse("provider-connect", args=[account.pk]))
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    query = parse_qs(authorize.query)
    assert authorize.path == "/telsam/oauth/authorize"
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver" + reverse("telsam-callback")]

    # The person approves at Telsam, which redirects back with a code.
    approved = requests.get(response["Location"] + "&auto_approve=1", allow_redirects=False, timeout=5)
    callback = urlsplit(approved.headers["Location"])
    assert callback.path == reverse("telsam-callback")
    response = alice_client.get(callback.path + "?" + callback.query, follow=True)
    assert "is connected to Telsam" in response.content.decode()

    account.refresh_from_db()
    assert account.token_cache["access_token"]
    assert account.token_cache["access_token"] not in raw_column(account, "token_cache")
    token_requests = [r for r in sandbox.requests_for("telsam", "/oauth/token")]
    assert token_requests[-1].json()["grant_type"] == "authorization_code"
    # The stored token now serves the test connection (no password grant needed).
    assert provider_account_check(account=account).ok


def test_a_callback_without_a_matching_connect_request_is_refused(alice_client: Client) -> None:
    response = alice_client.get(reverse("telsam-callback") + "?code=x&state=forged", follow=True)
    assert "did not match a Connect request" in response.content.decode()


def test_a_denied_authorization_says_so(alice_client: Client, team_a, sandbox, sandbox_account) -> None:
    account = sandbox_account(team_a, "telsam")
    response = alice_client.post(reverse("provider-connect", args=[account.pk]))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = alice_client.get(reverse("telsam-callback"), {"error": "access_denied", "state": state}, follow=True)
    assert "did not grant access" in response.content.decode()


def test_connect_is_only_for_telsam_accounts(alice_client: Client, team_a, sandbox_account) -> None:
    account = sandbox_account(team_a, "verimor")
    response = alice_client.post(reverse("provider-connect", args=[account.pk]), follow=True)
    assert "Only Telsam accounts are connected this way." in response.content.decode()


def test_tokens_are_kept_per_account(team_a, sandbox, sandbox_account) -> None:
    account = sandbox_account(team_a, "telphin")
    provider_account_check(account=account)
    first = ProviderAccount.objects.get(pk=account.pk).token_cache["access_token"]
    provider_account_check(account=ProviderAccount.objects.get(pk=account.pk))
    assert ProviderAccount.objects.get(pk=account.pk).token_cache["access_token"] == first
    assert len(sandbox.requests_for("telphin", "/oauth/token")) == 1
