"""The demo volume knob: ``PasifikSandbox(demo_scale=N)``, ``manage.py sandbox --demo-scale N`` and rundemo."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError

from sandbox.core import Clock, RunningSandbox, Sandbox
from sandbox.management.commands import rundemo
from sandbox.management.commands import sandbox as sandbox_command
from sandbox.pasifik import DEMO_TELEPHONE_IDS, MAX_DEMO_SCALE, PasifikSandbox
from sandbox.pasifik.pbx import PBX_CDR_COUNT
from sandbox.pasifik.telephone import CALLS_PER_ACCOUNT

from .test_pasifik_sandbox import post


@pytest.fixture(scope="module")
def scaled_url() -> Iterator[str]:
    clock = Clock()
    with RunningSandbox(Sandbox(providers=[PasifikSandbox(clock, demo_scale=10)], clock=clock)) as running:
        yield running.url


def test_the_default_scale_keeps_the_numbers_the_other_tests_rely_on() -> None:
    assert PasifikSandbox(Clock()).demo_scale == 1


def test_a_scaled_sandbox_holds_thousands_of_calls_and_cdrs(scaled_url: str) -> None:
    for account in DEMO_TELEPHONE_IDS:
        calls = post(scaled_url, "tel/history/", {"i_account": account, "type": "all"}).json()
        assert len(calls) >= 10 * CALLS_PER_ACCOUNT
        assert len({call["i_cdr"] for call in calls}) == len(calls)
    cdrs = post(scaled_url, "pbx/cdr/").json()["body"]
    assert len(cdrs) == 10 * PBX_CDR_COUNT
    assert len({cdr["uniqueid"] for cdr in cdrs}) == len(cdrs)


def test_the_history_of_the_two_demo_telephone_ids_never_shares_an_i_cdr(scaled_url: str) -> None:
    first, second = (
        {call["i_cdr"] for call in post(scaled_url, "tel/history/", {"i_account": account, "type": "all"}).json()}
        for account in DEMO_TELEPHONE_IDS
    )
    assert not first & second


def test_the_recordings_of_a_scaled_sandbox_play(scaled_url: str) -> None:
    recorded = post(scaled_url, "pbx/cdr/", {"recordings": "only"}).json()["body"]
    assert len(recorded) > 1000
    for cdr in (recorded[0], recorded[len(recorded) // 2], recorded[-1]):
        body = {"wavname": cdr["recordingfile"], "calldate": cdr["calldate"][:10]}
        response = post(scaled_url, "pbx/cdr/wav/", body)
        assert response.status_code == 200
        with wave.open(io.BytesIO(response.content)) as played:
            assert played.getnframes() >= 8000


@pytest.mark.parametrize("scale", [0, -1, MAX_DEMO_SCALE + 1])
def test_it_refuses_a_scale_out_of_range(scale: int) -> None:
    with pytest.raises(ValueError, match="demo_scale"):
        PasifikSandbox(Clock(), demo_scale=scale)


def test_the_sandbox_command_passes_its_demo_scale_to_the_pasifik_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Sandbox] = []

    class FakeRunning:
        url = "http://127.0.0.1:1"

        def __init__(self, sandbox: Sandbox, **kwargs: Any) -> None:
            started.append(sandbox)

        def start(self) -> FakeRunning:
            return self

        def stop(self) -> None:
            pass

    class NoWait:
        def set(self) -> None:
            pass

        def wait(self) -> None:
            pass

    monkeypatch.setattr(sandbox_command, "RunningSandbox", FakeRunning)
    monkeypatch.setattr(sandbox_command.threading, "Event", NoWait)
    monkeypatch.setattr(sandbox_command.signal, "signal", lambda *args: None)
    command = sandbox_command.Command(stdout=io.StringIO())
    command.run_from_argv(["manage.py", "sandbox", "--demo-scale", "7"])
    command.run_from_argv(["manage.py", "sandbox"])

    scaled, default = started
    assert scaled.by_name["pasifik"].demo_scale == 7
    assert default.by_name["pasifik"].demo_scale == 1
    assert set(scaled.by_name) == set(sandbox_command.available_providers())


@pytest.mark.parametrize("value", ["0", str(MAX_DEMO_SCALE + 1), "ten"])
def test_the_sandbox_command_refuses_a_scale_out_of_range(value: str) -> None:
    parser = sandbox_command.Command().create_parser("manage.py", "sandbox")
    with pytest.raises(CommandError, match="a whole number from 1 to"):
        parser.parse_args(["--demo-scale", value])


class FakeProcess:
    def __init__(self, command: list[str], started: list[list[str]]) -> None:
        started.append(command)

    def poll(self) -> int:
        return 0  # "exited": rundemo stops waiting at once

    def send_signal(self, sig: int) -> None:
        pass

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.mark.parametrize(("argv", "expected"), [([], str(rundemo.DEMO_SCALE)), (["--demo-scale", "3"], "3")])
def test_rundemo_starts_the_sandbox_with_its_demo_scale(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: str
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(rundemo.subprocess, "Popen", lambda command: FakeProcess(command, started))
    monkeypatch.setattr(rundemo.Command, "seed", lambda self, url: None)
    rundemo.Command(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(["manage.py", "rundemo", *argv])

    sandbox = next(command for command in started if "sandbox" in command)
    assert sandbox[sandbox.index("--demo-scale") + 1] == expected
    assert rundemo.DEMO_SCALE * (2 * CALLS_PER_ACCOUNT + PBX_CDR_COUNT) >= 5000  # thousands of CDRs in the demo
