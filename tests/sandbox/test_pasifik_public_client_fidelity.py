"""The Pasifik emulator answers what Pasifik's own public PHP client sends (issue 10, "Sandbox fidelity")."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
import requests

from sandbox.core import Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS, DEMO_TELEPHONE_IDS

TOKEN = base64.b64encode(f"{DEMO_CREDENTIALS['username']}:{DEMO_CREDENTIALS['password']}".encode()).decode()
HEADERS = {"Authorization": TOKEN, "Content-Type": "application/json", "Accept": "application/json"}
ACCOUNT = DEMO_TELEPHONE_IDS[0]


def post(sandbox_url: str, path: str, body: Any) -> requests.Response:
    return requests.post(f"{sandbox_url}/pasifik/en/api/{path}", json=body, headers=HEADERS, timeout=10)


def settled(sandbox: Sandbox, **body: Any) -> dict[str, Any]:
    """A history request up to ten minutes ago: no call can end between two requests."""
    end = (sandbox.clock.now() - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"i_account": ACCOUNT, "type": "all", "end_date": end, **body}


# --- limit: 0 -----------------------------------------------------------------------------


def test_history_with_limit_zero_is_the_whole_history_not_an_empty_one(sandbox: Sandbox, sandbox_url: str) -> None:
    unset = post(sandbox_url, "tel/history/", settled(sandbox, limit=0))
    without = post(sandbox_url, "tel/history/", settled(sandbox))

    assert unset.status_code == 200
    assert len(unset.json()) >= 160
    assert unset.json() == without.json()


def test_limit_zero_keeps_the_offset(sandbox: Sandbox, sandbox_url: str) -> None:
    everything = post(sandbox_url, "tel/history/", settled(sandbox)).json()

    rest = post(sandbox_url, "tel/history/", settled(sandbox, offset=150, limit=0)).json()

    assert rest == everything[150:]


# --- accounts that are not the customer's -------------------------------------------------


def test_history_and_live_calls_treat_a_foreign_account_alike(sandbox_url: str) -> None:
    history = post(sandbox_url, "tel/history/", {"i_account": 4242})
    live = post(sandbox_url, "tel/live/", {"i_account_list": [4242]})

    assert (history.status_code, history.json()) == (200, [])
    assert (live.status_code, live.json()) == (200, [])


def test_live_calls_of_a_mixed_list_keep_only_the_customers_accounts(sandbox: Sandbox, sandbox_url: str) -> None:
    for _ in range(60):
        calls = post(sandbox_url, "tel/live/", {"i_account_list": [4242, *DEMO_TELEPHONE_IDS]}).json()
        if calls:
            break
        sandbox.clock.advance(30)
    assert calls
    assert {call["i_account"] for call in calls} <= set(DEMO_TELEPHONE_IDS)


# --- object-keyed lists (PHP's json_encode of an array with gaps in its keys) ----------------


def test_submit_multi_accepts_envelopes_keyed_by_number(sandbox: Sandbox, sandbox_url: str) -> None:
    envelopes = {"0": {"to": "905321111110", "text": "one"}, "2": {"to": "905321111111", "text": "two"}}

    response = post(sandbox_url, "sms/submit/multi/", {"from": "DEMOFIRMA", "envelopes": envelopes})

    assert response.status_code == 200, response.text
    rows = post(sandbox_url, "sms/query/", {"sms_id": response.json()["id"]}).json()
    assert sorted((row["msisdn"], row["payload"]) for row in rows) == [("5321111110", "one"), ("5321111111", "two")]


def test_keyed_envelopes_keep_the_order_of_their_keys(sandbox_url: str) -> None:
    envelopes = {"10": {"to": "905321111112", "text": "ten"}, "9": {"to": "905321111110", "text": "nine"}}

    response = post(sandbox_url, "sms/submit/multi/", {"from": "DEMOFIRMA", "envelopes": envelopes})

    rows = post(sandbox_url, "sms/query/", {"sms_id": response.json()["id"]}).json()
    assert [row["payload"] for row in rows] == ["nine", "ten"]


def test_live_calls_accept_an_account_list_keyed_by_number(sandbox: Sandbox, sandbox_url: str) -> None:
    keyed = {str(index * 3): account for index, account in enumerate(DEMO_TELEPHONE_IDS)}
    sandbox.clock.freeze()  # both questions at one instant: a live call must not end between them
    for _ in range(60):
        as_list = post(sandbox_url, "tel/live/", {"i_account_list": list(DEMO_TELEPHONE_IDS)})
        as_object = post(sandbox_url, "tel/live/", {"i_account_list": keyed})
        assert as_object.status_code == 200, as_object.text
        if as_list.json():
            break
        sandbox.clock.advance(30)
    assert as_list.json()
    assert as_object.json() == as_list.json()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"to": "905321111110", "text": "one"}, "got the key 'to'"),
        ("905321111110", 'got type "str"'),
        ({}, "This field is required."),
    ],
)
def test_an_envelopes_value_that_is_no_list_says_exactly_what_is_wrong(sandbox_url: str, value: Any, says: str) -> None:
    response = post(sandbox_url, "sms/submit/multi/", {"from": "DEMOFIRMA", "envelopes": value})

    assert response.status_code == 400
    (message,) = response.json()["errors"]["envelopes"]
    assert says in message
