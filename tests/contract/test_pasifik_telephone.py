"""PasifikClient telephone endpoints (history, live calls, disconnect) against the Pasifik sandbox."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from providers.errors import InvalidRequest, NotFound, ProviderUnavailable
from providers.pasifik import LiveCall, PasifikClient, TelCall
from sandbox.core import RecordedRequest, Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS, DEMO_TELEPHONE_IDS, LIVE_SLOT_SECONDS

DEMO_AUTHORIZATION = base64.b64encode(b"demo:demo-pass").decode()
ACCOUNT = DEMO_TELEPHONE_IDS[0]


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(sandbox_url: str, waits: list[float]) -> Iterator[PasifikClient]:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=waits.append) as client:
        yield client


def the_request(sandbox: Sandbox, path: str) -> RecordedRequest:
    [request] = sandbox.requests_for("pasifik")
    assert request.method == "POST"
    assert request.path == path
    assert request.header("Authorization") == DEMO_AUTHORIZATION
    assert request.header("Content-Type") == "application/json"
    return request


def a_live_call(client: PasifikClient, sandbox: Sandbox) -> LiveCall:
    """Live calls come and go with the sandbox clock: step it until one is up."""
    for _ in range(60):
        calls = client.tel_live(i_account_list=list(DEMO_TELEPHONE_IDS))
        if calls:
            return calls[0]
        sandbox.clock.advance(LIVE_SLOT_SECONDS / 3)
    raise AssertionError("the sandbox never had a live call")


def test_it_sends_every_history_filter_in_the_documented_formats(client: PasifikClient, sandbox: Sandbox) -> None:
    start = datetime(2026, 9, 1, 13, 12, 45, tzinfo=ZoneInfo("Europe/Istanbul"))

    client.tel_history(
        i_account=ACCOUNT,
        start_date=start,
        end_date=start + timedelta(days=2),
        cli="%08505320252",
        cld="%0532",
        type="non_zero",
        offset=10,
        limit=20,
    )

    assert the_request(sandbox, "/en/api/tel/history/").json() == {
        "i_account": ACCOUNT,
        "start_date": "2026-09-01T10:12:45Z",
        "end_date": "2026-09-03T10:12:45Z",
        "cli": "%08505320252",
        "cld": "%0532",
        "type": "non_zero",
        "offset": 10,
        "limit": 20,
    }


def test_it_reads_history_with_utc_times_decimal_money_and_integer_durations(client: PasifikClient) -> None:
    calls = client.tel_history(i_account=ACCOUNT, type="complete", limit=25)

    assert 0 < len(calls) <= 25
    for call in calls:
        assert isinstance(call, TelCall)
        assert call.i_account == ACCOUNT
        assert call.connect_time is not None and call.connect_time.tzinfo is UTC
        assert call.disconnect_time is not None and call.disconnect_time >= call.connect_time
        assert isinstance(call.cost, Decimal) and isinstance(call.price_n, Decimal)
        assert isinstance(call.billed_duration, int) and call.billed_duration % 60 == 0
        assert call.duration > 0  # "complete": answered calls only


def test_it_pages_through_the_whole_history_with_offset_and_limit(client: PasifikClient, sandbox: Sandbox) -> None:
    calls = list(client.iter_tel_history(i_account=ACCOUNT, type="all", page_size=50))

    # 160 demo CDRs, plus any live call that ended meanwhile: pages of 50 until a short one.
    bodies = [request.json() for request in sandbox.requests_for("pasifik")]
    assert len(calls) >= 160
    assert [(body["offset"], body["limit"]) for body in bodies] == [(50 * k, 50) for k in range(len(calls) // 50 + 1)]
    assert len({call.i_cdr for call in calls}) == len(calls)


def test_it_filters_history_between_two_moments(client: PasifikClient, sandbox: Sandbox) -> None:
    end = sandbox.clock.now()
    start = end - timedelta(days=3)

    calls = client.tel_history(i_account=ACCOUNT, start_date=start, end_date=end, type="all")

    assert calls
    assert all(start <= call.connect_time <= end for call in calls if call.connect_time)


def test_it_rejects_an_unknown_history_type_before_sending(client: PasifikClient, sandbox: Sandbox) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.tel_history(i_account=ACCOUNT, type="answered")

    assert "type" in caught.value.field_errors
    assert sandbox.requests_for("pasifik") == []


def test_another_customers_account_has_no_history_as_it_has_no_live_calls(client: PasifikClient) -> None:
    # "Calls are limited to those belonging to the current customer" (Call Live), for history too.
    assert client.tel_history(i_account=999) == []
    assert client.tel_live(i_account_list=[999]) == []


def test_it_lists_live_calls_with_integer_ids(client: PasifikClient, sandbox: Sandbox) -> None:
    call = a_live_call(client, sandbox)

    assert sandbox.requests_for("pasifik")[-1].json() == {"i_account_list": list(DEMO_TELEPHONE_IDS)}
    assert sandbox.requests_for("pasifik")[-1].path == "/en/api/tel/live/"
    assert isinstance(call.id, int)
    assert call.i_account in DEMO_TELEPHONE_IDS
    assert call.cc_state in ("ARInProgress", "ARComplete", "Connected")


def test_it_disconnects_a_live_call_by_its_integer_id_once(client: PasifikClient, sandbox: Sandbox) -> None:
    call = a_live_call(client, sandbox)
    sandbox.requests.clear()

    assert client.tel_live_disconnect(id=call.id) is None

    assert the_request(sandbox, "/en/api/tel/live/disconnect/").json() == {"id": call.id}
    assert call.id not in [c.id for c in client.tel_live(i_account_list=list(DEMO_TELEPHONE_IDS))]


def test_it_raises_not_found_when_disconnecting_a_call_that_is_gone(client: PasifikClient) -> None:
    with pytest.raises(NotFound):
        client.tel_live_disconnect(id=41)


def test_it_never_retries_a_disconnect_after_a_server_error(
    client: PasifikClient, sandbox: Sandbox, waits: list[float]
) -> None:
    sandbox.inject("503", provider="pasifik", path="tel/live/disconnect")

    with pytest.raises(ProviderUnavailable) as caught:
        client.tel_live_disconnect(id=123456)

    assert caught.value.request_sent is True
    assert len(sandbox.requests_for("pasifik")) == 1
    assert waits == []


@pytest.mark.parametrize("limit", [0, -1])
def test_it_never_sends_a_limit_below_one(client: PasifikClient, sandbox: Sandbox, limit: int) -> None:
    # Pasifik's own client sends 0 for "unset" (no limit): we never send 0 to mean anything.
    with pytest.raises(InvalidRequest) as caught:
        client.tel_history(i_account=ACCOUNT, limit=limit)

    assert list(caught.value.field_errors) == ["limit"]
    assert sandbox.requests_for("pasifik") == []
