"""The Verimor client against the Verimor emulator, over real HTTP."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from providers.errors import (
    AuthenticationFailed,
    InvalidRequest,
    PermissionDenied,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
)
from providers.verimor import VerimorClient
from sandbox.core import Sandbox
from sandbox.media import fax_tiff_bytes, pdf_bytes
from sandbox.verimor import DEMO_CREDENTIALS

KEY = DEMO_CREDENTIALS["key"]
ISTANBUL = ZoneInfo("Europe/Istanbul")
PDF_BYTES = pdf_bytes("verimor contract test")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sandbox_url: str, sleeps: list[float]):
    def make(**overrides) -> VerimorClient:
        options = {
            **DEMO_CREDENTIALS,
            "base_url": f"{sandbox_url}/verimor",
            "sleep": sleeps.append,
            "timeout": (2.0, 5.0),
        }
        options.update(overrides)
        return VerimorClient(**options)

    return make


@pytest.fixture
def client(make_client) -> VerimorClient:
    return make_client()


def last(sandbox: Sandbox):
    return sandbox.last_request("verimor")


def emulator(sandbox: Sandbox):
    return sandbox.by_name["verimor"]


# --- pending fax orders ------------------------------------------------------------------


def test_it_reads_pending_orders_as_the_2018_bare_array(client, sandbox):
    order_id = client.fax_send(local_station_header="Acme", remote_station_id="902123205072", content=PDF_BYTES)

    page = client.fax_orders()

    request = last(sandbox)
    assert (request.method, request.path, request.query) == ("GET", "/fax_orders", {"key": [KEY]})
    assert request.body == b""
    assert page.pagination is None
    (order,) = page.orders
    assert order.id == order_id
    assert (order.status, order.raw_status) == ("pending", "Bekliyor")
    assert order.remote_station_id == "902123205072"
    assert order.local_station_id == "902129630131"
    assert order.created_at is not None and order.created_at.tzinfo == ISTANBUL


def test_it_reads_pending_orders_as_a_page_when_it_asks_for_one(client, sandbox):
    for number in ("902123205071", "902123205072"):
        client.fax_send(local_station_header="Acme", remote_station_id=number, content=PDF_BYTES)

    page = client.fax_orders(page=1, limit=10)

    assert last(sandbox).query == {"key": [KEY], "page": ["1"], "limit": ["10"]}
    assert [o.remote_station_id for o in page.orders] == ["902123205071", "902123205072"]
    assert page.pagination is not None
    assert (page.pagination.page, page.pagination.total_count, page.pagination.total_pages) == (1, 2, 1)


def test_it_reads_the_paginated_shape_even_unasked(client, sandbox):
    emulator(sandbox).paginate_orders = True

    page = client.fax_orders()

    assert page.orders == []
    assert page.pagination is not None and page.pagination.total_count == 0


@pytest.mark.parametrize("limit", [9, 101])
def test_a_limit_outside_10_to_100_is_refused_before_sending(client, sandbox, limit):
    with pytest.raises(InvalidRequest) as caught:
        client.fax_orders(limit=limit)
    with pytest.raises(InvalidRequest):
        client.fdrs(limit=limit)

    assert caught.value.field_errors == {"limit": ["between 10 and 100"]}
    assert sandbox.requests_for("verimor") == []


# --- sending ------------------------------------------------------------------------------


def test_it_sends_a_form_encoded_base64_data_uri_with_the_key_in_body_and_query(client, sandbox):
    order_id = client.fax_send(
        local_station_header="Bulutsantralim", remote_station_id="901234567891", content=PDF_BYTES
    )

    request = last(sandbox)
    assert (request.method, request.path) == ("POST", "/fax_orders")
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.query == {"key": [KEY]}
    assert request.form == {
        "key": [KEY],
        "local_station_header": ["Bulutsantralim"],
        "remote_station_id": ["901234567891"],
        "filedata": ["data:application/pdf;base64," + base64.b64encode(PDF_BYTES).decode()],
    }
    assert order_id == 20212


def test_it_sends_our_own_fax_number_when_given(client, sandbox):
    tiff = fax_tiff_bytes("verimor-send")
    client.fax_send(
        local_station_header="Acme",
        remote_station_id="901234567891",
        content=tiff,
        local_station_id="908508850000",
    )

    form = last(sandbox).form
    assert form["local_station_id"] == ["908508850000"]
    assert form["filedata"][0].startswith("data:image/tiff;base64,")
    assert client.fax_orders().orders[0].local_station_id == "908508850000"


def test_an_unknown_file_type_is_refused_before_sending(client, sandbox):
    with pytest.raises(InvalidRequest) as caught:
        client.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=b"plain text")

    assert caught.value.field_errors == {"filedata": ["unknown file type"]}
    assert sandbox.requests_for("verimor") == []


def test_invalid_base64_is_an_invalid_request_on_filedata(client):
    with pytest.raises(InvalidRequest) as caught:
        client.transport.request(
            "POST",
            "/fax_orders",
            read=False,
            data={
                "key": KEY,
                "local_station_header": "Acme",
                "remote_station_id": "901234567891",
                "filedata": "data:image/png;base64,@@not base64@@",
            },
        )

    assert caught.value.message == "invalid base64"
    assert caught.value.field_errors == {"filedata": ["invalid base64"]}


def test_a_foreign_local_station_id_is_an_invalid_request_on_that_field(client):
    with pytest.raises(InvalidRequest) as caught:
        client.fax_send(
            local_station_header="Acme", remote_station_id="901234567891", content=PDF_BYTES, local_station_id="90555"
        )

    assert list(caught.value.field_errors) == ["local_station_id"]


def test_a_wrong_key_is_an_authentication_failure_that_does_not_repeat_the_key(make_client):
    client = make_client(key="K00000000-wrong-key")

    with pytest.raises(AuthenticationFailed) as caught:
        client.fax_orders()

    assert caught.value.status_code == 400
    assert "Gecersiz anahtar" in str(caught.value)
    assert "K00000000-wrong-key" not in str(caught.value)


def test_a_sent_fax_leaves_the_orders_and_becomes_a_successful_outbound_record(client, sandbox):
    client.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=PDF_BYTES)
    sandbox.clock.advance(61)

    assert client.fax_orders().orders == []
    record = client.fdrs(direction="outbound").fdrs[0]
    assert record.original_destination == "901234567891"
    assert (record.direction, record.raw_direction) == ("outbound", "Giden")
    assert (record.status, record.success, record.raw_result) == ("delivered", True, "Başarılı")
    assert (record.pages_sent, record.pages_total) == (1, 1)


def test_a_fax_to_a_number_ending_in_9_fails(client, sandbox):
    client.fax_send(local_station_header="Acme", remote_station_id="901234567899", content=PDF_BYTES)
    sandbox.clock.advance(61)

    record = client.fdrs(original_destination="901234567899").fdrs[0]
    assert (record.status, record.success, record.raw_result) == ("failed", False, "Başarısız")


# --- fax detail records ----------------------------------------------------------------------


def test_it_sends_every_filter_with_utc_times(client, sandbox):
    start = datetime(2026, 11, 1, 3, 0, 0, tzinfo=ISTANBUL)
    client.fdrs(
        start_stamp_from=start,
        start_stamp_to=start + timedelta(days=31),
        direction="inbound",
        caller_id_number="902123205070",
        original_destination="902129630131",
        success=True,
        limit=20,
        page=2,
    )

    request = last(sandbox)
    assert (request.method, request.path) == ("GET", "/fdrs")
    assert request.query == {
        "key": [KEY],
        "start_stamp_from": ["2026-11-01 00:00:00 UTC"],
        "start_stamp_to": ["2026-12-02 00:00:00 UTC"],
        "direction": ["inbound"],
        "caller_id_number": ["902123205070"],
        "original_destination": ["902129630131"],
        "success": ["true"],
        "limit": ["20"],
        "page": ["2"],
    }


def test_it_reads_records_with_istanbul_times_and_raw_turkish_strings(client, sandbox):
    page = client.fdrs(direction="inbound", limit=10)

    assert page.pagination.limit == 10
    record = page.fdrs[0]
    assert (record.direction, record.raw_direction) == ("inbound", "Gelen")
    assert record.status == "received"
    assert record.start_stamp is not None and record.start_stamp.tzinfo == ISTANBUL
    expected = emulator(sandbox).records[0]["start"].replace(microsecond=0)
    assert record.start_stamp == expected
    internal = client.fdrs(direction="internal").fdrs[0]
    assert (internal.direction, internal.raw_direction) == ("internal", "Santral içi")


def test_a_window_longer_than_31_days_is_refused_before_sending(client, sandbox):
    start = datetime(2026, 10, 1, tzinfo=UTC)

    with pytest.raises(InvalidRequest) as caught:
        client.fdrs(start_stamp_from=start, start_stamp_to=start + timedelta(days=31, seconds=1))

    assert "start_stamp_to" in caught.value.field_errors
    assert sandbox.requests_for("verimor") == []


def test_the_emulator_answers_the_documented_400_for_a_long_window(client):
    with pytest.raises(InvalidRequest) as caught:
        client.transport.request(
            "GET",
            "/fdrs",
            read=True,
            params={
                "key": KEY,
                "start_stamp_from": "2026-01-01 00:00:00 UTC",
                "start_stamp_to": "2026-03-01 00:00:00 UTC",
            },
        )

    assert caught.value.message == "Tarih aralığı 31 günden uzun olamaz"
    assert list(caught.value.field_errors) == ["start_stamp_from"]


def test_it_pages_through_every_record_with_a_generator(client, sandbox):
    records = list(client.iter_fdrs(limit=10))

    pages = [r.query["page"] for r in sandbox.requests_for("verimor", "/fdrs")]
    assert pages == [["1"], ["2"], ["3"]]
    assert len(records) == 24
    assert len({r.call_uuid for r in records}) == 24


def test_the_generator_keeps_the_filters_on_every_page(client, sandbox):
    records = list(client.iter_fdrs(direction="inbound", limit=10))

    assert {r.direction for r in records} == {"inbound"}
    assert all(r.query["direction"] == ["inbound"] for r in sandbox.requests_for("verimor", "/fdrs"))


# --- documents -------------------------------------------------------------------------------------


def test_it_gets_a_document_url_and_downloads_the_document(client, sandbox):
    record = client.fdrs(direction="inbound").fdrs[0]

    url = client.fax_document_url(record.call_uuid)

    request = last(sandbox)
    assert (request.method, request.path) == ("POST", "/fax_document_url/")
    assert request.query == {"key": [KEY]}
    assert request.form == {"key": [KEY], "call_uuid": [record.call_uuid]}
    assert url.startswith("http://") and "/verimor/fax_documents/" in url

    with client.fax_document(url) as document:
        content = document.read()

    download = last(sandbox)
    assert download.method == "GET" and download.query == {}
    assert document.content_type in ("application/pdf", "image/tiff")
    assert content.startswith((b"%PDF-", b"II*\x00"))


def test_the_document_of_a_sent_fax_is_what_was_sent(client, sandbox):
    client.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=PDF_BYTES)
    sandbox.clock.advance(61)
    record = client.fdrs(direction="outbound").fdrs[0]

    with client.fax_document(client.fax_document_url(record.call_uuid)) as document:
        assert document.read() == PDF_BYTES


def test_an_unknown_call_uuid_is_an_invalid_request_on_that_field(client):
    with pytest.raises(InvalidRequest) as caught:
        client.fax_document_url("no-such-call")

    assert caught.value.message == "cannot find call with call_uuid no-such-call"
    assert list(caught.value.field_errors) == ["call_uuid"]


def test_a_document_url_expires_after_an_hour(client, sandbox):
    url = client.fax_document_url(client.fdrs().fdrs[0].call_uuid)
    sandbox.clock.advance(3601)

    with pytest.raises(PermissionDenied):
        client.fax_document(url)


# --- rate limit and faults --------------------------------------------------------------------------


def test_the_emulator_limits_to_a_burst_of_10_then_429(client, sandbox):
    emulator(sandbox).rate_limit = True
    answers = [
        client.transport.session.get(client.transport.url("/fax_orders"), params={"key": KEY}, timeout=5)
        for _ in range(12)
    ]

    statuses = [a.status_code for a in answers]
    assert statuses[:10] == [200] * 10
    assert 429 in statuses[10:]
    assert next(a for a in answers if a.status_code == 429).headers["Retry-After"] == "1"


def test_a_rate_limited_read_waits_and_succeeds(make_client, sandbox, sleeps):
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        sandbox.clock.advance(seconds)

    client = make_client(sleep=sleep)
    emulator(sandbox).rate_limit = True
    emulator(sandbox).bucket = 0

    assert client.fax_orders().orders == []
    assert sleeps == [1.0]


def test_a_429_on_a_read_is_retried_after_retry_after(client, sandbox, sleeps):
    sandbox.inject("429", provider="verimor", path="/fdrs", retry_after=4)

    client.fdrs()

    assert sleeps == [4.0]
    assert len(sandbox.requests_for("verimor", "/fdrs")) == 2


def test_a_429_that_persists_is_rate_limited(client, sandbox):
    sandbox.inject("429", provider="verimor", path="/fdrs", retry_after=2, times=3)

    with pytest.raises(RateLimited) as caught:
        client.fdrs()

    assert caught.value.retry_after == 2.0


def test_a_5xx_on_a_read_is_retried(client, sandbox, sleeps):
    sandbox.inject("503", provider="verimor", path="/fax_orders", method="GET")

    assert client.fax_orders().orders == []
    assert len(sleeps) == 1


@pytest.mark.parametrize("kind", ["500", "502"])
def test_a_send_is_not_retried_on_a_5xx(client, sandbox, kind):
    sandbox.inject(kind, provider="verimor", path="/fax_orders", method="POST")

    with pytest.raises(ProviderUnavailable) as caught:
        client.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=PDF_BYTES)

    assert caught.value.request_sent is True
    assert len(sandbox.requests_for("verimor", "/fax_orders")) == 1


def test_a_send_is_not_retried_on_a_timeout(make_client, sandbox, sleeps):
    client = make_client(timeout=(2.0, 0.3))
    sandbox.inject("timeout", provider="verimor", path="/fax_orders", method="POST", delay=0.8)

    with pytest.raises(ProviderUnavailable) as caught:
        client.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=PDF_BYTES)

    assert caught.value.request_sent is True
    assert len(sandbox.requests_for("verimor", "/fax_orders")) == 1
    assert sleeps == []


def test_a_read_that_times_out_is_retried(make_client, sandbox, sleeps):
    client = make_client(timeout=(2.0, 0.3))
    sandbox.inject("timeout", provider="verimor", path="/fdrs", delay=0.8)

    assert len(client.fdrs().fdrs) == 10
    assert len(sleeps) == 1


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_a_malformed_or_truncated_answer_is_an_unexpected_response(client, sandbox, kind):
    sandbox.inject(kind, provider="verimor", path="/fdrs")

    with pytest.raises(UnexpectedResponse):
        client.fdrs()


def test_a_send_answered_with_something_else_than_an_id_is_unexpected(client, sandbox):
    sandbox.inject("malformed", provider="verimor", path="/fax_orders", method="POST")

    with pytest.raises(UnexpectedResponse):
        client.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=PDF_BYTES)


# --- secrets ---------------------------------------------------------------------------------


def test_the_key_never_shows_up_in_errors_or_logs(make_client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    sentinel = "SENTINEL-verimor-5c4b3a"
    emulator(sandbox).keys.add(sentinel)
    client = make_client(key=sentinel)

    client.fax_orders()
    client.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=PDF_BYTES)
    sandbox.inject("503", provider="verimor", path="/fdrs", times=3)
    with pytest.raises(ProviderUnavailable) as unavailable:
        client.fdrs()
    emulator(sandbox).keys.discard(sentinel)
    with pytest.raises(AuthenticationFailed) as refused:
        client.fax_orders()

    messages = [str(unavailable.value), str(refused.value)] + [r.getMessage() for r in caplog.records]
    assert caplog.records
    for text in messages:
        assert sentinel not in text
