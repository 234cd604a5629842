"""The Telsam yenifaks client against the Telsam emulator, over real HTTP."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from providers.errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
)
from providers.telsam import TelsamClient
from providers.transport import MemoryTokenStore
from sandbox.core import Sandbox
from sandbox.media import fax_tiff_bytes, pdf_bytes
from sandbox.telsam import DEMO_CREDENTIALS, DEMO_DID, DEMO_REDIRECT_URI, OTHER_USERS_FAX_ID

ISTANBUL = ZoneInfo("Europe/Istanbul")
PDF_BYTES = pdf_bytes("telsam contract test")
CODE_ONLY = {k: DEMO_CREDENTIALS[k] for k in ("client_id", "client_secret")}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sandbox_url: str, sleeps: list[float]):
    def make(credentials: dict[str, str] | None = None, **overrides) -> TelsamClient:
        options = {
            **(DEMO_CREDENTIALS if credentials is None else credentials),
            "base_url": f"{sandbox_url}/telsam",
            "redirect_uri": DEMO_REDIRECT_URI,
            "sleep": sleeps.append,
            "timeout": (2.0, 5.0),
        }
        options.update(overrides)
        return TelsamClient(**options)

    return make


@pytest.fixture
def client(make_client) -> TelsamClient:
    return make_client()


def token_requests(sandbox: Sandbox):
    return [r for r in sandbox.requests_for("telsam") if r.path == "/oauth/token"]


def api_requests(sandbox: Sandbox):
    return [r for r in sandbox.requests_for("telsam") if not r.path.startswith("/oauth/")]


def month() -> dict[str, datetime]:
    now = datetime.now(UTC)
    return {"start_date": now - timedelta(days=30), "end_date": now + timedelta(hours=1)}


def approve(client: TelsamClient, state: str = "s-123") -> str:
    """Follows the authorize page like a person who clicks Approve; returns the code."""
    page = requests.get(client.authorize_url(state=state), timeout=5)
    assert page.status_code == 200
    assert "Approve" in page.text and "<form" in page.text
    answer = requests.post(
        page.url,
        data={
            "client_id": client.client_id,
            "redirect_uri": DEMO_REDIRECT_URI,
            "response_type": "code",
            "state": state,
            "decision": "approve",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == DEMO_REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == [state]
    return query["code"][0]


# --- password grant -------------------------------------------------------------------------------


def test_it_gets_a_token_with_the_password_grant_as_json(client, sandbox):
    client.fax_list()

    token_request, list_request = sandbox.requests_for("telsam")
    assert (token_request.method, token_request.path) == ("POST", "/oauth/token")
    assert token_request.header("Content-Type") == "application/json"
    assert token_request.header("Authorization") is None
    assert token_request.json() == {
        "grant_type": "password",
        "username": DEMO_CREDENTIALS["username"],
        "password": DEMO_CREDENTIALS["password"],
        "client_id": DEMO_CREDENTIALS["client_id"],
        "client_secret": DEMO_CREDENTIALS["client_secret"],
    }
    (access_token,) = sandbox.by_name["telsam"].tokens
    assert (list_request.method, list_request.path) == ("POST", "/fax")
    assert list_request.header("Authorization") == f"Bearer {access_token}"
    assert list_request.header("Accept") == "application/json"


def test_a_wrong_password_is_an_authentication_failure(make_client):
    with pytest.raises(AuthenticationFailed) as caught:
        make_client({**DEMO_CREDENTIALS, "password": "wrong-password"}).fax_list()

    assert caught.value.status_code == 400


def test_a_wrong_client_secret_is_an_authentication_failure(make_client):
    with pytest.raises(AuthenticationFailed, match="Client authentication failed"):
        make_client({**DEMO_CREDENTIALS, "client_secret": "wrong-secret"}).fax_list()


def test_an_untrimmed_grant_type_is_the_documented_unsupported_grant_type(client):
    with pytest.raises(InvalidRequest, match="grant type is not supported"):
        client._grant({"grant_type": "authorization_code ", **CODE_ONLY})


# --- authorization-code grant -----------------------------------------------------------------------


def test_it_builds_the_passport_authorize_url(client, sandbox_url):
    url = urlsplit(client.authorize_url(state="xyz"))

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sandbox_url}/telsam/oauth/authorize"
    assert parse_qs(url.query) == {
        "client_id": [DEMO_CREDENTIALS["client_id"]],
        "redirect_uri": [DEMO_REDIRECT_URI],
        "response_type": ["code"],
        "state": ["xyz"],
    }


def test_the_authorize_path_is_configurable_under_the_base_url(make_client, sandbox_url):
    client = make_client(authorize_path="/passport/authorize")

    assert client.authorize_url(state="a", redirect_uri="https://portal.example/cb").startswith(
        f"{sandbox_url}/telsam/passport/authorize?client_id=3&redirect_uri=https%3A%2F%2Fportal.example%2Fcb"
    )


def test_it_trades_the_approved_code_for_a_token_and_uses_it(make_client, sandbox):
    store = MemoryTokenStore()
    client = make_client(CODE_ONLY, token_store=store)
    code = approve(client)

    token = client.token_from_code(code=code)

    token_request = token_requests(sandbox)[-1]
    assert token_request.json() == {
        "grant_type": "authorization_code",
        "client_id": DEMO_CREDENTIALS["client_id"],
        "client_secret": DEMO_CREDENTIALS["client_secret"],
        "redirect_uri": DEMO_REDIRECT_URI,
        "code": code,
    }
    assert store.token == token
    assert token.refresh_token and token.expires_at is not None
    client.fax_list()
    assert api_requests(sandbox)[-1].header("Authorization") == f"Bearer {token.access_token}"
    assert len(token_requests(sandbox)) == 1


def test_auto_approve_redirects_at_once_with_code_and_state(make_client):
    client = make_client(CODE_ONLY)

    answer = requests.get(client.authorize_url(state="q") + "&auto_approve=1", allow_redirects=False, timeout=5)

    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["q"] and query["code"][0].startswith("def50200")
    assert client.token_from_code(code=query["code"][0]).access_token


def test_a_denied_authorization_redirects_with_access_denied(make_client):
    client = make_client(CODE_ONLY)
    url = urlsplit(client.authorize_url(state="d"))

    answer = requests.post(
        f"{url.scheme}://{url.netloc}{url.path}",
        data={**{k: v[0] for k, v in parse_qs(url.query).items()}, "decision": "deny"},
        allow_redirects=False,
        timeout=5,
    )

    assert parse_qs(urlsplit(answer.headers["Location"]).query) == {"error": ["access_denied"], "state": ["d"]}


def test_a_code_cannot_be_used_twice(make_client):
    client = make_client(CODE_ONLY)
    code = approve(client)
    client.token_from_code(code=code)

    with pytest.raises(AuthenticationFailed):
        client.token_from_code(code=code)


# --- refresh ----------------------------------------------------------------------------------------


def test_it_refreshes_with_the_refresh_token_grant(client, sandbox):
    first = client.token_password()

    second = client.token_refresh()

    assert token_requests(sandbox)[-1].json() == {
        "grant_type": "refresh_token",
        "refresh_token": first.refresh_token,
        "client_id": DEMO_CREDENTIALS["client_id"],
        "client_secret": DEMO_CREDENTIALS["client_secret"],
        "scope": "",
    }
    assert second.access_token != first.access_token
    assert client.auth.store.load() == second


def test_it_refreshes_before_the_token_expires(make_client, sandbox):
    clock = FakeClock()
    client = make_client(clock=clock)
    client.fax_list()

    clock.now += timedelta(seconds=31536000 - 120)  # two minutes left of a year
    client.fax_list()

    grants = [r.json()["grant_type"] for r in token_requests(sandbox)]
    assert grants == ["password", "refresh_token"]


def test_it_gets_a_new_token_after_an_expired_token_401_and_the_call_succeeds(client, sandbox):
    client.fax_list()
    sandbox.inject("expired-token", provider="telsam", path="/fax", method="POST")

    page = client.fax_list(**month())

    assert len(page.faxes) == 15
    grants = [r.json()["grant_type"] for r in token_requests(sandbox)]
    assert grants == ["password", "refresh_token"]
    lists = api_requests(sandbox)
    assert lists[-1].header("Authorization") != lists[-2].header("Authorization")


def test_a_code_only_account_whose_refresh_fails_must_authorize_again(make_client, sandbox):
    store = MemoryTokenStore()
    client = make_client(CODE_ONLY, token_store=store)
    client.token_from_code(code=approve(client))
    sandbox.by_name["telsam"].tokens.clear()
    sandbox.by_name["telsam"].refresh_tokens.clear()

    with pytest.raises(AuthenticationFailed, match="authorize it again"):
        client.fax_list()


# --- listing ------------------------------------------------------------------------------------------


def test_it_sends_every_list_filter_trimmed_with_istanbul_times(client, sandbox):
    start = datetime(2021, 11, 1, 0, 0, 0, tzinfo=ISTANBUL)
    client.fax_list(
        status=" success",
        call_type="incoming ",
        search="908502590260",
        start_date=start,
        end_date=datetime(2021, 12, 22, 8, 11, 11, tzinfo=UTC),
        page=2,
    )

    request = api_requests(sandbox)[-1]
    assert (request.method, request.path, request.query) == ("POST", "/fax", {"page": ["2"]})
    assert request.header("Content-Type") == "application/json"
    assert request.json() == {
        "start_date": "2021-11-01 00:00:00",
        "end_date": "2021-12-22 11:11:11",
        "status": "success",
        "type": "incoming",
        "search": "908502590260",
    }


def test_without_dates_it_lists_todays_faxes(client, sandbox):
    page = client.fax_list()

    assert api_requests(sandbox)[-1].json() == {}
    assert len(page.faxes) == 3
    today = sandbox.clock.now().astimezone(ISTANBUL).date()
    assert {f.created_at.astimezone(ISTANBUL).date() for f in page.faxes if f.created_at} <= {today}


def test_it_reads_a_laravel_paginator(client, sandbox):
    page = client.fax_list(**month())

    assert (page.page, page.last_page, page.total, page.per_page, page.has_next) == (1, 2, 20, 15, True)
    fax = page.faxes[0]
    assert fax.did == DEMO_DID
    assert fax.call_type in ("incoming", "outgoing")
    assert fax.created_at is not None and fax.created_at.tzinfo == ISTANBUL


def test_it_pages_through_every_fax(client, sandbox):
    faxes = list(client.iter_faxes(**month()))

    assert [r.query.get("page") for r in api_requests(sandbox)] == [["1"], ["2"]]
    assert len(faxes) == 20 and len({f.id for f in faxes}) == 20


@pytest.mark.parametrize("shape", ["bare", "data", "faxes"])
def test_it_reads_a_list_without_paginator(client, sandbox, shape):
    sandbox.by_name["telsam"].list_shape = shape

    page = client.fax_list(**month())

    assert len(page.faxes) == 15
    assert page.has_next is False and page.last_page is None


def test_an_invalid_date_is_a_field_error(client):
    with pytest.raises(InvalidRequest) as caught:
        client.transport.request("POST", "/fax", read=True, json_body={"start_date": "2021-11-01"})

    assert caught.value.status_code == 422
    assert caught.value.message == "The given data was invalid."
    assert list(caught.value.field_errors) == ["start_date"]


# --- detail and download ------------------------------------------------------------------------------


def test_it_reads_a_fax_and_its_attempts(client, sandbox):
    fax = next(f for f in client.iter_faxes(**month()) if f.raw_status == "failed")

    detail = client.fax_detail(fax.id)

    request = api_requests(sandbox)[-1]
    assert (request.method, request.path) == ("POST", f"/fax/{fax.id}")
    assert detail.fax == fax
    assert (detail.fax.status, detail.fax.again) == ("failed", 2)
    assert [a.raw_status for a in detail.attempts] == ["FAILED", "FAILED"]
    assert detail.attempts[0].status == "failed"
    assert detail.attempts[0].calldate is not None and detail.attempts[0].calldate.tzinfo == ISTANBUL


def test_an_unknown_fax_is_not_found(client):
    with pytest.raises(NotFound, match="Not Found!"):
        client.fax_detail(1)


def test_another_users_fax_is_this_action_is_unauthorized(client):
    with pytest.raises(PermissionDenied, match=r"This action is unauthorized\."):
        client.fax_detail(OTHER_USERS_FAX_ID)


def test_it_downloads_a_fax_as_pdf_streamed(client, sandbox):
    fax = client.fax_list().faxes[0]

    with client.fax_download(fax.id) as document:
        content = document.read()

    request = api_requests(sandbox)[-1]
    assert (request.method, request.path) == ("POST", f"/fax/{fax.id}/download")
    assert request.header("Authorization").startswith("Bearer ")
    assert document.content_type == "application/pdf"
    assert document.filename == f"fax-{fax.id}.pdf"
    assert content.startswith(b"%PDF-")


# --- sending -------------------------------------------------------------------------------------------


def test_it_sends_base64_files_to_several_numbers(client, sandbox):
    tiff = fax_tiff_bytes("telsam-send")

    faxes = client.fax_send(did=DEMO_DID, phones=["908502590261", "908502590262"], files=[PDF_BYTES, tiff])

    request = api_requests(sandbox)[-1]
    assert (request.method, request.path) == ("POST", "/fax/send")
    assert request.header("Content-Type") == "application/json"
    assert request.json() == {
        "did": DEMO_DID,
        "phones": ["908502590261", "908502590262"],
        "files": [base64.b64encode(PDF_BYTES).decode(), base64.b64encode(tiff).decode()],
    }
    assert [f.phone for f in faxes] == ["908502590261", "908502590262"]
    assert {(f.status, f.raw_status, f.call_type) for f in faxes} == {("pending", "pending", "outgoing")}


def test_a_sent_fax_is_delivered_after_a_minute_and_downloads_what_was_sent(client, sandbox):
    (fax,) = client.fax_send(did=DEMO_DID, phones=["908502590261"], files=[PDF_BYTES])
    sandbox.clock.advance(61)

    detail = client.fax_detail(fax.id)

    assert (detail.fax.status, detail.fax.raw_status) == ("delivered", "success")
    with client.fax_download(fax.id) as document:
        assert document.read() == PDF_BYTES


def test_a_fax_to_a_number_ending_in_9_fails(client, sandbox):
    (fax,) = client.fax_send(did=DEMO_DID, phones=["908502590269"], files=[PDF_BYTES])
    sandbox.clock.advance(61)

    assert client.fax_detail(fax.id).fax.status == "failed"


def test_a_wrong_did_is_the_documented_422_with_field_errors(client):
    with pytest.raises(InvalidRequest) as caught:
        client.fax_send(did="908500000000", phones=["908502590261"], files=[PDF_BYTES])

    assert caught.value.status_code == 422
    assert caught.value.message == "The given data was invalid."
    assert caught.value.field_errors == {"did": ["did değeri geçersiz."]}


def test_an_unknown_file_type_is_refused_before_sending(client, sandbox):
    with pytest.raises(InvalidRequest) as caught:
        client.fax_send(did=DEMO_DID, phones=["908502590261"], files=[PDF_BYTES, b"text"])

    assert list(caught.value.field_errors) == ["files.1"]
    assert sandbox.requests_for("telsam") == []


def test_the_send_and_download_urls_are_configurable(make_client, sandbox):
    client = make_client(send_path="/fax/send/", download_path="/fax/{id}/download/")

    (fax,) = client.fax_send(did=DEMO_DID, phones=["908502590261"], files=[PDF_BYTES])
    client.fax_download(fax.id).close()

    assert [r.path for r in api_requests(sandbox)] == ["/fax/send/", f"/fax/{fax.id}/download/"]


def test_a_wrong_send_url_is_not_found(make_client):
    with pytest.raises(NotFound):
        make_client(send_path="/faxes/send").fax_send(did=DEMO_DID, phones=["908502590261"], files=[PDF_BYTES])


# --- faults ---------------------------------------------------------------------------------------------


def test_a_429_on_a_read_is_retried_after_retry_after(client, sandbox, sleeps):
    client.token_password()
    sandbox.inject("429", provider="telsam", path="/fax", retry_after=5)

    client.fax_list()

    assert sleeps == [5.0]
    assert len(api_requests(sandbox)) == 2


def test_a_429_that_persists_is_rate_limited(client, sandbox):
    client.token_password()
    sandbox.inject("429", provider="telsam", path="/fax", retry_after=1, times=3)

    with pytest.raises(RateLimited):
        client.fax_list()


def test_a_5xx_on_a_read_is_retried(client, sandbox, sleeps):
    client.token_password()
    sandbox.inject("500", provider="telsam", path="/fax")

    client.fax_detail(client.fax_list().faxes[0].id)

    assert len(sleeps) == 1


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_a_send_is_not_retried_on_a_5xx(client, sandbox, kind):
    client.token_password()
    sandbox.inject(kind, provider="telsam", path="/fax/send")

    with pytest.raises(ProviderUnavailable) as caught:
        client.fax_send(did=DEMO_DID, phones=["908502590261"], files=[PDF_BYTES])

    assert caught.value.request_sent is True
    assert len(api_requests(sandbox)) == 1


def test_a_send_is_not_retried_on_a_timeout(make_client, sandbox, sleeps):
    client = make_client(timeout=(2.0, 0.3))
    client.token_password()
    sandbox.inject("timeout", provider="telsam", path="/fax/send", delay=0.8)

    with pytest.raises(ProviderUnavailable) as caught:
        client.fax_send(did=DEMO_DID, phones=["908502590261"], files=[PDF_BYTES])

    assert caught.value.request_sent is True
    assert len(api_requests(sandbox)) == 1
    assert sleeps == []


def test_a_read_that_times_out_is_retried(make_client, sandbox, sleeps):
    client = make_client(timeout=(2.0, 0.3))
    client.token_password()
    sandbox.inject("timeout", provider="telsam", path="/fax", delay=0.8)

    assert len(client.fax_list().faxes) == 3
    assert len(sleeps) == 1


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_a_malformed_or_truncated_answer_is_an_unexpected_response(client, sandbox, kind):
    client.token_password()
    sandbox.inject(kind, provider="telsam", path="/fax")

    with pytest.raises(UnexpectedResponse):
        client.fax_list()


def test_a_malformed_token_answer_is_an_unexpected_response(client, sandbox):
    sandbox.inject("truncated", provider="telsam", path="/oauth/token")

    with pytest.raises(UnexpectedResponse):
        client.fax_list()


# --- secrets --------------------------------------------------------------------------------------------


def test_secrets_never_show_up_in_errors_or_logs(make_client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    password, secret = "SENTINEL-telsam-pw-1a2b", "SENTINEL-telsam-secret-3c4d"
    emulator = sandbox.by_name["telsam"]
    emulator.clients["77"] = secret
    emulator.users["sentinel@example.com"] = {"password": password, "did": DEMO_DID}
    credentials = {"client_id": "77", "client_secret": secret, "username": "sentinel@example.com", "password": password}
    client = make_client(credentials)

    client.fax_list()
    (access_token,) = emulator.tokens
    (refresh_token,) = emulator.refresh_tokens
    sandbox.inject("expired-token", provider="telsam", path="/fax")
    client.fax_list()
    sandbox.inject("503", provider="telsam", path="/fax", times=3)
    with pytest.raises(ProviderUnavailable) as unavailable:
        client.fax_list()
    with pytest.raises(AuthenticationFailed) as refused:
        make_client({**credentials, "password": password + "-wrong"}).fax_list()
    with pytest.raises(AuthenticationFailed) as bad_code:
        make_client(credentials).token_from_code(code="SENTINEL-code-5e6f")

    messages = [str(e.value) for e in (unavailable, refused, bad_code)] + [r.getMessage() for r in caplog.records]
    assert caplog.records
    for text in messages:
        for sentinel in (password, secret, access_token, refresh_token, "SENTINEL-code-5e6f"):
            assert sentinel not in text
