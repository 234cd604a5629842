"""Verimor record scans: the documented maximum page size (100), under its 2 requests/s limit (issue 10).

The limiter waits on an injected clock, so nothing here sleeps on the wall clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from providers.ratelimit import RateLimiter
from providers.verimor import VerimorClient
from sandbox.core import Sandbox
from sandbox.verimor import DEMO_CREDENTIALS


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def more_records(sandbox: Sandbox, count: int) -> None:
    emulator = sandbox.by_name["verimor"]
    template = emulator.records[0]
    for index in range(count):
        emulator.records.append(
            {**template, "call_uuid": f"extra-{index:04d}", "start": template["start"] - timedelta(minutes=index + 1)}
        )


def sandbox_client(sandbox: Sandbox, sandbox_url: str) -> VerimorClient:
    """A client whose waits advance the sandbox's clock, the one the emulator's rate limit counts on."""
    return VerimorClient(
        **DEMO_CREDENTIALS,
        base_url=f"{sandbox_url}/verimor",
        sleep=sandbox.clock.advance,
        monotonic=lambda: sandbox.clock.now().timestamp(),
    )


def test_a_record_scan_asks_for_the_documented_maximum_of_100_a_page(sandbox: Sandbox, sandbox_url: str) -> None:
    more_records(sandbox, 176)  # 200 in all

    records = list(sandbox_client(sandbox, sandbox_url).iter_fdrs())

    assert len({r.call_uuid for r in records}) == 200
    assert [(r.query["limit"], r.query["page"]) for r in sandbox.requests_for("verimor", "/fdrs")] == [
        (["100"], ["1"]),
        (["100"], ["2"]),
    ]


def test_pending_orders_are_read_100_a_page(sandbox: Sandbox, sandbox_url: str) -> None:
    list(sandbox_client(sandbox, sandbox_url).iter_fax_orders())

    assert sandbox.requests_for("verimor", "/fax_orders")[-1].query["limit"] == ["100"]


def test_a_long_scan_never_trips_the_providers_rate_limit(sandbox: Sandbox, sandbox_url: str) -> None:
    more_records(sandbox, 276)  # 300 in all: 30 pages of 10
    sandbox.by_name["verimor"].rate_limit = True
    started = sandbox.clock.now()

    records = list(sandbox_client(sandbox, sandbox_url).iter_fdrs(limit=10))

    assert len(records) == 300
    requests = sandbox.requests_for("verimor", "/fdrs")
    assert len(requests) == 30, "a 429 would have been retried: one request per page means none happened"
    # 5 at once, then one every half second, on the sandbox's clock.
    assert sandbox.clock.now() - started >= timedelta(seconds=(30 - 5) * 0.5)


def test_the_limiter_lets_a_burst_through_then_one_request_every_half_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2, burst=5, clock=clock, sleep=clock.sleep)

    sent_at = []
    for _ in range(9):
        limiter.acquire()
        sent_at.append(clock.now - 1000.0)

    assert sent_at == [0, 0, 0, 0, 0, 0.5, 1.0, 1.5, 2.0]
    assert clock.sleeps == [0.5, 0.5, 0.5, 0.5]


def test_the_limiter_never_allows_more_than_two_a_second_over_any_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2, burst=5, clock=clock, sleep=clock.sleep)

    sent_at = []
    for _ in range(60):
        limiter.acquire()
        sent_at.append(clock.now)

    for index, moment in enumerate(sent_at):
        within = [t for t in sent_at[index:] if t < moment + 10]
        assert len(within) <= 5 + 2 * 10  # the burst plus the rate, in any ten seconds


def test_an_idle_limiter_has_its_burst_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2, burst=5, clock=clock, sleep=clock.sleep)
    for _ in range(8):
        limiter.acquire()
    clock.now += 60
    clock.sleeps.clear()

    waits = [limiter.acquire() for _ in range(5)]

    assert waits == [0.0] * 5 and clock.sleeps == []


@pytest.mark.parametrize(("rate", "burst"), [(0, 5), (2, 0)])
def test_a_limiter_needs_a_rate_and_a_burst(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate=rate, burst=burst)
