"""Serves the provider emulators (Pasifik, Telsam, Verimor, Telphin) over HTTP."""

from __future__ import annotations

import importlib
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from telcoportal.sandbox.app import PROVIDERS, build_sandbox
from telcoportal.sandbox.core import RunningSandbox


def available_providers() -> list[str]:
    names = []
    for name, target in PROVIDERS.items():
        try:
            importlib.import_module(target.partition(":")[0])
        except ModuleNotFoundError:
            continue
        names.append(name)
    return names


class Command(BaseCommand):
    help = "Runs the sandbox that emulates every provider API, for the demo and for manual tests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests that fail at random")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, host: str, port: int, fault_rate: float, seed: int, **options: Any) -> None:
        names = available_providers()
        sandbox = build_sandbox(names, fault_rate=fault_rate, seed=seed)
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
