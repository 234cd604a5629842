"""The Telphin client against the Telphin emulator, over real HTTP."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from providers.errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
)
from providers.telphin import TelphinClient
from providers.transport import MemoryTokenStore
from sandbox.core import Sandbox
from sandbox.media import fax_tiff_bytes, pdf_bytes
from sandbox.telphin import DEMO_CREDENTIALS, DEMO_EXTENSION_ID

OUT = f"/api/ver1.0/extension/{DEMO_EXTENSION_ID}/fax/out/"
PDF_BYTES = pdf_bytes("contract test")
TIFF_BYTES = fax_tiff_bytes("contract test")


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
    def make(**overrides) -> TelphinClient:
        options = {
            **DEMO_CREDENTIALS,
            "extension_id": DEMO_EXTENSION_ID,
            "base_url": f"{sandbox_url}/telphin",
            "sleep": sleeps.append,
            "timeout": (2.0, 5.0),
        }
        options.update(overrides)
        return TelphinClient(**options)

    return make


@pytest.fixture
def client(make_client) -> TelphinClient:
    return make_client()


def token_requests(sandbox: Sandbox):
    return [r for r in sandbox.requests_for("telphin") if r.path == "/oauth/token"]


def api_requests(sandbox: Sandbox):
    return [r for r in sandbox.requests_for("telphin") if r.path != "/oauth/token"]


def bearer(sandbox: Sandbox) -> str:
    return "Bearer " + next(iter(sandbox.by_name["telphin"].tokens))


# --- tokens ----------------------------------------------------------------------


def test_it_gets_a_token_with_the_form_encoded_client_credentials_grant(client, sandbox):
    client.fax_out_list()

    token_request, list_request = sandbox.requests_for("telphin")
    assert token_request.method == "POST"
    assert token_request.path == "/oauth/token"
    assert token_request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert token_request.form == {
        "grant_type": ["client_credentials"],
        "client_id": [DEMO_CREDENTIALS["client_id"]],
        "client_secret": [DEMO_CREDENTIALS["client_secret"]],
    }
    assert token_request.header("Authorization") is None
    assert list_request.method == "GET"
    assert list_request.path == OUT
    assert list_request.header("Authorization") == bearer(sandbox)


def test_it_reuses_the_stored_token_across_calls_and_clients(make_client, sandbox):
    store = MemoryTokenStore()
    make_client(token_store=store).fax_out_list()
    make_client(token_store=store).fax_in_list()

    assert len(token_requests(sandbox)) == 1
    assert store.token is not None and store.token.expires_at is not None


def test_it_refreshes_the_token_a_minute_before_it_expires(make_client, sandbox):
    clock = FakeClock()
    client = make_client(clock=clock)
    client.fax_out_list()
    first = api_requests(sandbox)[-1].header("Authorization")

    clock.now += timedelta(seconds=3600 - 50)  # inside the one-minute margin
    client.fax_out_list()

    assert len(token_requests(sandbox)) == 2
    assert api_requests(sandbox)[-1].header("Authorization") != first


def test_it_keeps_the_token_while_more_than_a_minute_is_left(make_client, sandbox):
    clock = FakeClock()
    client = make_client(clock=clock)
    client.fax_out_list()
    clock.now += timedelta(seconds=3600 - 70)
    client.fax_out_list()

    assert len(token_requests(sandbox)) == 1


def test_it_gets_a_new_token_after_an_expired_token_401_and_the_call_succeeds(client, sandbox):
    client.fax_out_list()
    sandbox.inject("expired-token", provider="telphin", path="/fax/out")

    assert client.fax_out_list() == []

    assert len(token_requests(sandbox)) == 2
    lists = [r for r in api_requests(sandbox) if r.path == OUT]
    assert len(lists) == 3
    assert lists[1].header("Authorization") != lists[2].header("Authorization")


def test_it_gets_a_new_token_when_the_provider_expired_it_early(make_client, sandbox):
    client = make_client()
    client.fax_out_list()
    sandbox.clock.advance(3601)  # the sandbox expires it; the client's clock did not move

    client.fax_out_list()

    assert len(token_requests(sandbox)) == 2


def test_a_wrong_client_secret_is_an_authentication_failure(make_client):
    with pytest.raises(AuthenticationFailed, match="Client authentication failed"):
        make_client(client_secret="wrong-secret").fax_out_list()


# --- sending ---------------------------------------------------------------------


def test_it_sends_a_pdf_as_multipart_dst_num_and_file(client, sandbox):
    fax = client.fax_send(dst_num="1234567", content=PDF_BYTES, filename="contract.pdf")

    sent = api_requests(sandbox)[-1]
    assert sent.method == "POST"
    assert sent.path == OUT
    assert sent.header("Authorization") == bearer(sandbox)
    assert sent.header("Content-Type").startswith("multipart/form-data; boundary=")
    assert sent.form == {"dst_num": ["1234567"]}
    assert set(sent.files) == {"file"}
    assert sent.files["file"]["filename"] == "contract.pdf"
    assert sent.files["file"]["content_type"] == "application/pdf"
    assert sent.files["file"]["content"] == PDF_BYTES
    assert fax.id == 174
    assert fax.dst_num == "1234567"
    assert (fax.status, fax.raw_status) == ("pending", "ready_to_send")
    assert fax.datetime is not None and fax.datetime.tzinfo is not None


def test_it_sends_a_tiff_named_by_its_content(client, sandbox):
    client.fax_send(dst_num="1234567", content=TIFF_BYTES)

    upload = api_requests(sandbox)[-1].files["file"]
    assert (upload["filename"], upload["content_type"]) == ("fax.tif", "image/tiff")


def test_it_refuses_a_file_that_is_not_tiff_or_pdf_by_content_before_sending(client, sandbox):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    with pytest.raises(InvalidRequest) as caught:
        client.fax_send(dst_num="1234567", content=png, filename="looks-like.pdf")

    assert caught.value.field_errors == {"file": ["not a TIFF or PDF file"]}
    assert sandbox.requests_for("telphin") == []


def test_it_refuses_a_file_over_10_mb_before_sending(client, sandbox):
    big = PDF_BYTES + b"\0" * (10 * 1024 * 1024)
    with pytest.raises(InvalidRequest, match="10 MB"):
        client.fax_send(dst_num="1234567", content=big)

    assert sandbox.requests_for("telphin") == []


def test_the_emulator_refuses_a_file_that_is_not_tiff_or_pdf_too(client, sandbox):
    client.fax_out_list()  # for a token
    response = client.transport.session.post(
        client.transport.url(client._path("/extension/{extension_id}/fax/out/")),
        data={"dst_num": "1234567"},
        files={"file": ("x.pdf", b"not a pdf at all", "application/pdf")},
        headers={"Authorization": bearer(sandbox)},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json() == {"message": "A file in tiff or pdf format is required"}


def test_a_fax_goes_from_queued_to_sending_to_delivered(client, sandbox):
    fax = client.fax_send(dst_num="1234567", content=PDF_BYTES)

    sandbox.clock.advance(11)
    assert client.fax_out_status(fax.id).raw_status == "sending"
    sandbox.clock.advance(20)
    done = client.fax_out_status(fax.id)

    assert (done.status, done.raw_status) == ("delivered", "sent")
    status_request = api_requests(sandbox)[-1]
    assert (status_request.method, status_request.path) == ("GET", f"{OUT}{fax.id}")
    assert status_request.header("Authorization") == bearer(sandbox)


def test_it_lists_the_faxes_sent_from_the_extension(client, sandbox):
    first = client.fax_send(dst_num="1234567", content=PDF_BYTES)
    second = client.fax_send(dst_num="7654321", content=TIFF_BYTES)

    faxes = client.fax_out_list()

    assert [f.id for f in faxes] == [first.id, second.id]
    assert {f.status for f in faxes} == {"pending"}


def test_it_retries_a_failed_fax(client, sandbox):
    fax = client.fax_send(dst_num="1234569", content=PDF_BYTES)  # ends in 9: first attempt fails
    sandbox.clock.advance(31)
    assert client.fax_out_status(fax.id).status == "failed"

    retried = client.fax_retry(fax.id)

    put = api_requests(sandbox)[-1]
    assert (put.method, put.path, put.query) == ("PUT", f"{OUT}{fax.id}", {"action": ["retry"]})
    assert put.header("Authorization") == bearer(sandbox)
    assert put.body == b""
    assert (retried.status, retried.raw_status) == ("pending", "ready_to_send")
    sandbox.clock.advance(31)
    assert client.fax_out_status(fax.id).status == "delivered"


def test_it_cancels_a_queued_fax(client, sandbox):
    fax = client.fax_send(dst_num="1234567", content=PDF_BYTES)

    canceled = client.fax_cancel(fax.id)

    put = api_requests(sandbox)[-1]
    assert (put.method, put.path, put.query) == ("PUT", f"{OUT}{fax.id}", {"action": ["cancel"]})
    assert (canceled.status, canceled.raw_status) == ("canceled", "canceled")


def test_it_cancels_a_failed_fax(client, sandbox):
    fax = client.fax_send(dst_num="1234568", content=PDF_BYTES)  # ends in 8: always fails
    sandbox.clock.advance(31)

    assert client.fax_cancel(fax.id).status == "canceled"


def test_retrying_a_delivered_fax_is_refused(client, sandbox):
    fax = client.fax_send(dst_num="1234567", content=PDF_BYTES)
    sandbox.clock.advance(31)

    with pytest.raises(InvalidRequest, match="status sent cannot be sent again"):
        client.fax_retry(fax.id)


def test_canceling_a_fax_being_sent_is_refused(client, sandbox):
    fax = client.fax_send(dst_num="1234567", content=PDF_BYTES)
    sandbox.clock.advance(11)

    with pytest.raises(InvalidRequest, match="status sending cannot be canceled"):
        client.fax_cancel(fax.id)


def test_an_unknown_fax_is_not_found_with_the_providers_message(client):
    with pytest.raises(NotFound, match="Record not found"):
        client.fax_out_status(999999)


def test_another_clients_extension_is_not_found(make_client):
    with pytest.raises(NotFound, match="Record not found"):
        make_client(extension_id=999).fax_out_list()


# --- receiving and fax-to-email ---------------------------------------------------------


def test_it_lists_received_faxes_with_aware_times(client, sandbox):
    faxes = client.fax_in_list()

    request = api_requests(sandbox)[-1]
    assert (request.method, request.path) == ("GET", f"/api/ver1.0/extension/{DEMO_EXTENSION_ID}/fax/in/")
    assert request.header("Authorization") == bearer(sandbox)
    assert len(faxes) == 2
    assert faxes[0].uuid == "2f4c2a9e-0d7b-4b0e-9a51-5c1b8f0e7a11"
    assert faxes[0].caller_id == "74951234567"
    assert faxes[0].extension_id == DEMO_EXTENSION_ID
    assert faxes[0].file_size and faxes[0].file_size > 0
    assert faxes[0].datetime is not None and faxes[0].datetime.utcoffset() == timedelta(hours=3)


def test_it_downloads_a_received_fax_streamed(client, sandbox):
    fax = client.fax_in_list()[1]

    with client.fax_in_file(fax.uuid) as document:
        content = document.read()

    request = api_requests(sandbox)[-1]
    assert (request.method, request.path) == (
        "GET",
        f"/api/ver1.0/extension/{DEMO_EXTENSION_ID}/fax/in/{fax.uuid}/file/",
    )
    assert document.content_type == "image/tiff"
    assert document.filename == f"{fax.uuid}.tif"
    assert content.startswith(b"II*\x00")
    assert len(content) == fax.file_size


def test_the_received_urls_are_configurable(make_client, sandbox):
    client = make_client(received_list_path="/extension/{extension_id}/fax/in/")
    assert len(client.fax_in_list()) == 2
    with pytest.raises(NotFound):
        make_client(received_list_path="/extension/{extension_id}/fax/inbox/").fax_in_list()


def test_it_sets_the_fax_to_email_addresses_as_json(client, sandbox):
    stored = client.fax_mailto_set(["admin@host.com", " user@host.com "])

    request = api_requests(sandbox)[-1]
    assert (request.method, request.path) == ("PUT", f"/api/ver1.0/extension/{DEMO_EXTENSION_ID}/fax/")
    assert request.header("Content-Type") == "application/json"
    assert request.header("Authorization") == bearer(sandbox)
    assert request.json() == {"fax_mailto": "admin@host.com,user@host.com"}
    assert stored == ["admin@host.com", "user@host.com"]


def test_an_invalid_fax_to_email_address_is_an_invalid_request(client):
    with pytest.raises(InvalidRequest, match="Invalid e-mail address: not-an-address"):
        client.fax_mailto_set(["not-an-address"])


# --- faults ------------------------------------------------------------------------------


def test_a_429_on_a_read_is_retried_after_retry_after(client, sandbox, sleeps):
    client.fax_out_list()
    sandbox.inject("429", provider="telphin", path="/fax/out", retry_after=3)

    client.fax_out_list()

    assert sleeps == [3.0]
    assert len([r for r in api_requests(sandbox) if r.path == OUT]) == 3


def test_a_429_that_persists_is_rate_limited_with_the_wait(client, sandbox, sleeps):
    client.fax_out_list()
    sandbox.inject("429", provider="telphin", path="/fax/out", retry_after=2, times=3)

    with pytest.raises(RateLimited) as caught:
        client.fax_out_list()

    assert caught.value.retry_after == 2.0
    assert sleeps == [2.0, 2.0]


def test_a_5xx_on_a_read_is_retried(client, sandbox, sleeps):
    client.fax_out_list()
    sandbox.inject("502", provider="telphin", path="/fax/out")

    assert client.fax_out_list() == []
    assert len(sleeps) == 1


@pytest.mark.parametrize("kind", ["500", "503"])
def test_a_send_is_not_retried_on_a_5xx(client, sandbox, kind):
    client.fax_out_list()
    sandbox.inject(kind, provider="telphin", path="/fax/out", method="POST")

    with pytest.raises(ProviderUnavailable) as caught:
        client.fax_send(dst_num="1234567", content=PDF_BYTES)

    assert caught.value.request_sent is True
    assert len([r for r in api_requests(sandbox) if r.method == "POST"]) == 1


def test_a_send_is_not_retried_on_a_timeout(make_client, sandbox, sleeps):
    client = make_client(timeout=(2.0, 0.3))
    client.fax_out_list()
    sandbox.inject("timeout", provider="telphin", path="/fax/out", method="POST", delay=0.8)

    with pytest.raises(ProviderUnavailable) as caught:
        client.fax_send(dst_num="1234567", content=PDF_BYTES)

    assert caught.value.request_sent is True
    assert len([r for r in api_requests(sandbox) if r.method == "POST"]) == 1
    assert sleeps == []


def test_a_retry_or_cancel_is_not_retried_on_a_5xx(client, sandbox):
    fax = client.fax_send(dst_num="1234567", content=PDF_BYTES)
    sandbox.inject("503", provider="telphin", method="PUT")

    with pytest.raises(ProviderUnavailable):
        client.fax_cancel(fax.id)

    assert len([r for r in api_requests(sandbox) if r.method == "PUT"]) == 1


def test_a_read_that_times_out_is_retried(make_client, sandbox, sleeps):
    client = make_client(timeout=(2.0, 0.3))
    client.fax_out_list()
    sandbox.inject("timeout", provider="telphin", path="/fax/in", delay=0.8)

    assert len(client.fax_in_list()) == 2
    assert len(sleeps) == 1


def test_a_malformed_answer_is_an_unexpected_response(client, sandbox):
    client.fax_out_list()
    sandbox.inject("malformed", provider="telphin", path="/fax/out", method="GET")

    with pytest.raises(UnexpectedResponse):
        client.fax_out_list()


def test_a_truncated_answer_is_an_unexpected_response(client, sandbox):
    fax = client.fax_send(dst_num="1234567", content=PDF_BYTES)
    sandbox.inject("truncated", provider="telphin", path=f"/fax/out/{fax.id}")

    with pytest.raises(UnexpectedResponse):
        client.fax_out_status(fax.id)


# --- secrets -----------------------------------------------------------------------------


def test_secrets_never_show_up_in_errors_or_logs(make_client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    sentinel = "SENTINEL-telphin-9f8e7d"
    sandbox.by_name["telphin"].clients["sentinel-app"] = sentinel
    sandbox.by_name["telphin"].extensions[DEMO_EXTENSION_ID]["client"] = "sentinel-app"
    client = make_client(client_id="sentinel-app", client_secret=sentinel)

    client.fax_out_list()
    token = next(iter(sandbox.by_name["telphin"].tokens))
    sandbox.inject("503", provider="telphin", path="/fax/out", times=3)
    with pytest.raises(ProviderUnavailable) as unavailable:
        client.fax_out_list()
    with pytest.raises(AuthenticationFailed) as refused:
        make_client(client_id="sentinel-app", client_secret=sentinel + "-wrong").fax_out_list()

    messages = [str(unavailable.value), str(refused.value)] + [r.getMessage() for r in caplog.records]
    assert caplog.records
    for text in messages:
        assert sentinel not in text
        assert token not in text
