"""Log-in throttling sees the client's address behind a trusted proxy, and limits one address
over every account (password spraying)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory
from tests.test_project import ROOT

PROXY = "10.0.0.2"


@pytest.fixture
def behind_one_proxy(settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.AXES_IPWARE_PROXY_COUNT = 0  # what TRUSTED_PROXY_COUNT=1 sets: nginx writes the client's address
    return settings


def via_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def login(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_behind_the_proxy_each_client_has_its_own_counter(alice, behind_one_proxy) -> None:
    attacker = via_proxy("198.51.100.7")
    for _ in range(behind_one_proxy.AXES_FAILURE_LIMIT):
        login(attacker, "alice@example.com", "wrong")
    assert login(attacker, "alice@example.com", TEST_PASSWORD).status_code == 429
    # Alice, from her own address through the same proxy, is not locked out by the attacker.
    assert login(via_proxy("203.0.113.5"), "alice@example.com", TEST_PASSWORD).status_code == 302


def test_the_audit_log_records_the_same_client_address(alice, team_a, behind_one_proxy) -> None:
    client = via_proxy("203.0.113.5")
    assert login(client, "alice@example.com", TEST_PASSWORD).status_code == 302
    client.post(reverse("notifications-read"))
    event = team_a.audit_events.get(action="notifications.read_all")
    assert event.ip_address == "203.0.113.5"


def test_a_forged_header_chain_is_not_believed(alice, behind_one_proxy) -> None:
    """A client adding its own X-Forwarded-For entries cannot pick a fresh address per try."""
    for n in range(behind_one_proxy.AXES_FAILURE_LIMIT):
        login(via_proxy(f"192.0.2.{n + 1}, 198.51.100.7"), "alice@example.com", "wrong")
    assert login(via_proxy("192.0.2.99, 198.51.100.7"), "alice@example.com", TEST_PASSWORD).status_code == 429


def test_one_address_spraying_many_accounts_is_refused(db, settings) -> None:
    """48 guesses over 12 accounts: 4 per account stays under the per-account limit of 5."""
    emails = [f"person{n}@example.com" for n in range(12)]
    for email in emails:
        UserFactory(email=email)
    sprayer = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [login(sprayer, email, f"guess {n}").status_code for n in range(4) for email in emails]
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    # Like axes' own limit, the failure that reaches it is already answered with the lock-out.
    assert statuses == [200] * (limit - 1) + [429] * (48 - limit + 1)
    page = login(sprayer, emails[0], TEST_PASSWORD)
    assert page.status_code == 429  # even the right password, from this address
    assert "from your address, for several accounts" in page.content.decode()
    # Another address is not affected.
    assert login(Client(REMOTE_ADDR="203.0.113.5"), emails[0], TEST_PASSWORD).status_code == 302


def test_trusted_proxy_count_configures_ipware() -> None:
    """TRUSTED_PROXY_COUNT=1 (one nginx) becomes ipware's count of proxies listed in the header: 0."""
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 50,
        "TRUSTED_PROXY_COUNT": "1",
        "AXES_IP_HEADERS": "HTTP_X_FORWARDED_FOR,REMOTE_ADDR",
    }
    script = (
        "import json, telcoportal.settings as s; "
        "print(json.dumps([s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert json.loads(result.stdout) == [0, ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]], result.stderr
