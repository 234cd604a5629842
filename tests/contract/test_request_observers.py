"""The transport's observer hook (the portal's provider metrics): every attempt heard, nothing broken by it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from providers.errors import InvalidRequest
from providers.transport import (
    RequestObservation,
    RetryPolicy,
    Transport,
    add_request_observer,
    endpoint_label,
    remove_request_observer,
)

BASE = "https://api.example.test"


@pytest.fixture
def heard() -> Iterator[list[RequestObservation]]:
    observations: list[RequestObservation] = []
    add_request_observer(observations.append)
    yield observations
    remove_request_observer(observations.append)


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("sms/submit/", "/sms/submit"),
        ("/fax/12345", "/fax/{id}"),
        ("/client/@me/extension/207/fax/out/", "/client/@me/extension/{id}/fax/out"),
        ("/fax_orders?key=abc&page=2", "/fax_orders"),
        ("/calls/4c1f2a9e-7b1d-4c3a-9c1e-0a1b2c3d4e5f/record", "/calls/{id}/record"),
    ],
)
def test_an_endpoint_label_folds_ids_and_drops_the_query(path: str, label: str) -> None:
    assert endpoint_label(path) == label


def test_a_whole_url_is_one_label() -> None:
    assert endpoint_label("https://files.example.test/f/abc123?sig=x", absolute=True) == "{url}"


@responses.activate
def test_every_attempt_is_heard_with_its_outcome(heard: list[RequestObservation]) -> None:
    transport = Transport(base_url=BASE, provider="example", retry=RetryPolicy(attempts=2), sleep=lambda _: None)
    responses.get(f"{BASE}/items/42", status=503)
    responses.get(f"{BASE}/items/42", json={"ok": True})
    transport.request("GET", "/items/42", read=True)
    assert [(o.provider, o.method, o.endpoint, o.error) for o in heard] == [
        ("example", "GET", "/items/{id}", "ProviderUnavailable"),
        ("example", "GET", "/items/{id}", None),
    ]
    assert all(o.seconds >= 0 for o in heard)


@responses.activate
def test_a_failing_observer_breaks_no_request(heard: list[RequestObservation]) -> None:
    def broken(_: RequestObservation) -> None:
        raise RuntimeError("observer bug")

    add_request_observer(broken)
    try:
        transport = Transport(base_url=BASE, provider="example", sleep=lambda _: None)
        responses.post(f"{BASE}/send", status=400, json={"message": "bad number"})
        with pytest.raises(InvalidRequest):
            transport.request("POST", "/send", read=False)
    finally:
        remove_request_observer(broken)
    assert [o.error for o in heard] == ["InvalidRequest"]
