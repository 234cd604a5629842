"""`rundemo` stops its web server, worker and sandbox on SIGTERM as on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
from typing import Any

import pytest

from sandbox.management.commands import rundemo


class Child:
    def __init__(self, cmd: list[str]) -> None:
        self.cmd, self.signals, self.running = cmd, [], True

    def poll(self) -> int | None:
        return None if self.running else 0

    def send_signal(self, signum: int) -> None:
        self.signals.append(signum)
        self.running = False

    def wait(self, timeout: float) -> int:
        return 0


def test_sigterm_stops_every_child(monkeypatch: pytest.MonkeyPatch) -> None:
    children: list[Child] = []
    monkeypatch.setattr(subprocess, "Popen", lambda cmd: children.append(Child(cmd)) or children[-1])
    previous = signal.getsignal(signal.SIGTERM)

    def seed(self: Any, url: str) -> None:  # the demo is up: a `kill` arrives
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)

    monkeypatch.setattr(rundemo.Command, "seed", seed)
    monkeypatch.setattr(rundemo.Command, "allow_sandbox", lambda self, origin: None)
    try:
        rundemo.Command().handle(port=1, sandbox_port=2, demo_scale=1)
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert len(children) == 3 and all(child.signals == [signal.SIGTERM] for child in children)
