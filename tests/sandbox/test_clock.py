"""A test's clock advances never leak into the next test."""

from datetime import UTC, datetime, timedelta

from sandbox.app import build_sandbox
from sandbox.core import Clock


def test_reset_returns_the_clock_to_where_it_started() -> None:
    clock = Clock(start=datetime(2026, 11, 30, 20, 30, tzinfo=UTC))
    clock.advance(3 * 86400)

    clock.reset()

    assert abs(clock.now() - datetime(2026, 11, 30, 20, 30, tzinfo=UTC)) < timedelta(minutes=1)


def test_resetting_the_sandbox_resets_its_clock() -> None:
    sandbox = build_sandbox()
    before = sandbox.clock.now()
    sandbox.clock.advance(3 * 86400)

    sandbox.reset()

    assert sandbox.clock.now() - before < timedelta(minutes=1)


def test_a_frozen_clock_moves_only_when_advanced() -> None:
    clock = Clock()
    clock.freeze()
    frozen = clock.now()

    assert clock.now() == frozen
    clock.advance(90)
    assert clock.now() == frozen + timedelta(seconds=90)

    clock.reset()
    assert clock.now() > frozen
