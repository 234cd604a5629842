"""The Telsam emulator, spoken to directly over HTTP with plain requests."""

from __future__ import annotations

import base64

import pytest
import requests

from sandbox.core import Sandbox
from sandbox.media import pdf_bytes
from sandbox.telsam import DEMO_CREDENTIALS, DEMO_DID


@pytest.fixture
def base(sandbox_url: str) -> str:
    return f"{sandbox_url}/telsam"


@pytest.fixture
def headers(base: str, sandbox: Sandbox) -> dict[str, str]:
    answer = requests.post(f"{base}/oauth/token", json={"grant_type": "password", **DEMO_CREDENTIALS}, timeout=5)
    assert answer.status_code == 200
    return {"Authorization": f"Bearer {answer.json()['access_token']}", "Accept": "application/json"}


def test_the_token_endpoint_accepts_a_form_too(base, sandbox):
    answer = requests.post(f"{base}/oauth/token", data={"grant_type": "password", **DEMO_CREDENTIALS}, timeout=5)

    assert answer.status_code == 200
    assert answer.json()["expires_in"] == 31536000


def test_a_token_expires_after_a_year_of_sandbox_time(base, headers, sandbox):
    sandbox.clock.advance(31536001)

    answer = requests.post(f"{base}/fax", json={}, headers=headers, timeout=5)

    assert (answer.status_code, answer.json()) == (401, {"message": "Unauthenticated."})


def test_a_refresh_token_works_once(base, sandbox):
    tokens = requests.post(f"{base}/oauth/token", json={"grant_type": "password", **DEMO_CREDENTIALS}, timeout=5).json()
    body = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": DEMO_CREDENTIALS["client_id"],
        "client_secret": DEMO_CREDENTIALS["client_secret"],
    }

    assert requests.post(f"{base}/oauth/token", json=body, timeout=5).status_code == 200
    again = requests.post(f"{base}/oauth/token", json=body, timeout=5)
    assert (again.status_code, again.json()["error"]) == (401, "invalid_request")


def test_the_authorize_page_refuses_an_unknown_client(base, sandbox):
    answer = requests.get(
        f"{base}/oauth/authorize",
        params={"client_id": "999", "redirect_uri": "https://x.example/cb", "response_type": "code", "state": "s"},
        timeout=5,
    )

    assert answer.status_code == 401


def test_the_authorize_page_refuses_another_response_type(base, sandbox):
    answer = requests.get(
        f"{base}/oauth/authorize",
        params={"client_id": "3", "redirect_uri": "https://x.example/cb", "response_type": "token", "state": "s"},
        timeout=5,
    )

    assert (answer.status_code, answer.json()["error"]) == (400, "unsupported_response_type")


def test_the_authorize_page_escapes_what_it_echoes(base, sandbox):
    answer = requests.get(
        f"{base}/oauth/authorize",
        params={"client_id": "3", "redirect_uri": "https://x.example/cb", "response_type": "code", "state": '"><b>'},
        timeout=5,
    )

    assert '"><b>' not in answer.text
    assert "&quot;&gt;&lt;b&gt;" in answer.text


def test_sending_validates_every_field_like_laravel(base, headers):
    answer = requests.post(
        f"{base}/fax/send",
        json={"did": DEMO_DID, "phones": ["123", "908502590261"], "files": ["not base64!"]},
        headers=headers,
        timeout=5,
    )

    assert answer.status_code == 422
    body = answer.json()
    assert body["message"] == "The given data was invalid."
    assert set(body["errors"]) == {"phones.0", "files.0"}


def test_the_list_refuses_an_untrimmed_enum(base, headers):
    answer = requests.post(f"{base}/fax", json={"status": " success"}, headers=headers, timeout=5)

    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["status"]


def test_a_sent_word_document_gets_a_generated_pdf(base, headers, sandbox):
    docx = b"PK\x03\x04" + b"\0" * 64
    sent = requests.post(
        f"{base}/fax/send",
        json={"did": DEMO_DID, "phones": ["908502590261"], "files": [base64.b64encode(docx).decode()]},
        headers=headers,
        timeout=5,
    ).json()

    pdf = requests.post(f"{base}/fax/{sent['faxes'][0]['id']}/download", json={}, headers=headers, timeout=5)

    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and pdf.content != pdf_bytes("x")
