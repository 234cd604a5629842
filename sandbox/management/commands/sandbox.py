"""Serves the provider emulators (Pasifik, Telsam, Verimor, Telphin) over HTTP."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from sandbox.app import PROVIDERS, provider_class
from sandbox.core import Clock, RunningSandbox, Sandbox
from sandbox.pasifik import MAX_DEMO_SCALE, PasifikSandbox


def available_providers() -> list[str]:
    return list(PROVIDERS)


def demo_scale_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_DEMO_SCALE:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to {MAX_DEMO_SCALE}, not {text!r}")
    return value


def demo_sandbox(names: list[str], *, fault_rate: float, seed: int, demo_scale: int) -> Sandbox:
    """``build_sandbox``, with the Pasifik emulator's call volume multiplied by ``demo_scale``."""
    clock = Clock()
    providers = [
        PasifikSandbox(clock, demo_scale=demo_scale) if name == "pasifik" else provider_class(name)(clock)
        for name in names
    ]
    return Sandbox(providers=providers, clock=clock, fault_rate=fault_rate, seed=seed)


class Command(BaseCommand):
    help = "Runs the sandbox that emulates every provider API, for the demo and for manual tests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests that fail at random")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--demo-scale",
            type=demo_scale_value,
            default=1,
            metavar=f"1..{MAX_DEMO_SCALE}",
            help="multiplies the Pasifik call history and PBX CDRs (1: 160 calls per telephone id, 420 CDRs)",
        )

    def handle(
        self, *args: Any, host: str, port: int, fault_rate: float, seed: int, demo_scale: int, **options: Any
    ) -> None:
        names = available_providers()
        sandbox = demo_sandbox(names, fault_rate=fault_rate, seed=seed, demo_scale=demo_scale)
        running = RunningSandbox(sandbox, host=host, port=port).start()
        self.stdout.write(f"Sandbox for {', '.join(names)} at {running.url}/<provider>/ (Ctrl-C stops it)")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            running.stop()
