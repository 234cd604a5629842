"""The Telphin emulator, spoken to directly over HTTP with plain requests."""

from __future__ import annotations

import pytest
import requests

from sandbox.core import Sandbox
from sandbox.media import pdf_bytes
from sandbox.telphin import DEMO_CREDENTIALS, DEMO_EXTENSION_ID


@pytest.fixture
def base(sandbox_url: str) -> str:
    return f"{sandbox_url}/telphin"


@pytest.fixture
def headers(base: str, sandbox: Sandbox) -> dict[str, str]:
    answer = requests.post(
        f"{base}/oauth/token", data={"grant_type": "client_credentials", **DEMO_CREDENTIALS}, timeout=5
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    return {"Authorization": f"Bearer {body['access_token']}"}


def out_url(base: str) -> str:
    return f"{base}/api/ver1.0/extension/{DEMO_EXTENSION_ID}/fax/out/"


def test_a_request_without_a_token_is_refused(base, sandbox):
    answer = requests.get(out_url(base), timeout=5)

    assert answer.status_code == 401
    assert "message" in answer.json()


def test_a_token_expires_after_an_hour_of_sandbox_time(base, headers, sandbox):
    sandbox.clock.advance(3601)

    assert requests.get(out_url(base), headers=headers, timeout=5).status_code == 401


def test_only_the_client_credentials_grant_is_supported(base, sandbox):
    answer = requests.post(f"{base}/oauth/token", data={"grant_type": "password", **DEMO_CREDENTIALS}, timeout=5)

    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_sending_requires_multipart(base, headers):
    answer = requests.post(out_url(base), json={"dst_num": "1234567"}, headers=headers, timeout=5)

    assert answer.status_code == 400
    assert answer.json() == {"message": "Content-Type must be multipart/form-data"}


def test_sending_refuses_a_file_over_10_mb(base, headers):
    big = pdf_bytes("big") + b"\0" * (10 * 1024 * 1024)
    answer = requests.post(
        out_url(base), data={"dst_num": "1234567"}, files={"file": ("big.pdf", big)}, headers=headers, timeout=10
    )

    assert answer.status_code == 400
    assert answer.json() == {"message": "The maximum file size is 10 megabytes"}


def test_sending_requires_a_destination(base, headers):
    answer = requests.post(out_url(base), files={"file": ("a.pdf", pdf_bytes("a"))}, headers=headers, timeout=5)

    assert answer.json() == {"message": "dst_num is required"}


def test_an_unknown_action_is_refused(base, headers):
    sent = requests.post(
        out_url(base),
        data={"dst_num": "1234567"},
        files={"file": ("a.pdf", pdf_bytes("a"))},
        headers=headers,
        timeout=5,
    ).json()

    answer = requests.put(f"{out_url(base)}{sent['id']}", params={"action": "resend"}, headers=headers, timeout=5)

    assert answer.status_code == 400
    assert answer.json() == {"message": "action must be retry or cancel"}


def test_fax_mailto_must_be_json(base, headers):
    url = f"{base}/api/ver1.0/extension/{DEMO_EXTENSION_ID}/fax/"

    assert requests.put(url, data={"fax_mailto": "a@b.co"}, headers=headers, timeout=5).status_code == 400
    assert requests.put(url, json={"fax_mailto": "a@b.co"}, headers=headers, timeout=5).json() == {
        "fax_mailto": "a@b.co"
    }


def test_reset_empties_the_outbox(base, headers, sandbox):
    requests.post(
        out_url(base),
        data={"dst_num": "1234567"},
        files={"file": ("a.pdf", pdf_bytes("a"))},
        headers=headers,
        timeout=5,
    )
    sandbox.reset()

    assert sandbox.by_name["telphin"].outgoing == {}
