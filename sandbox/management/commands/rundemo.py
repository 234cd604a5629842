"""Runs the whole demo: web server, Celery worker with beat, and the provider sandbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_SCALE = 10


def api_hint(origin: str) -> str:
    """How to try the REST API on the demo: make a token, then call it (docs/api.md has more)."""
    return (
        f"REST API: make a token on {origin}/account/api-tokens/ (signed in), or in another terminal:\n"
        "  .venv/bin/python manage.py api_token operator@demo.example --scope send --name demo\n"
        f'then: curl -H "Authorization: Bearer <the token>" {origin}/api/v1/me/\n'
        f"Reference: {origin}/api/v1/docs/  schema: {origin}/api/v1/schema/  examples: docs/api.md\n"
    )


class Command(BaseCommand):
    help = "Starts the web server, a Celery worker with beat, and the sandbox; Ctrl-C stops them all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8001)
        # Thousands of CDRs (2 × 1,600 telephone calls and 4,200 PBX CDRs), so the call pages show real volume.
        parser.add_argument("--demo-scale", type=int, default=DEMO_SCALE, help="the sandbox's call volume multiplier")

    def handle(self, *args: Any, port: int, sandbox_port: int, demo_scale: int, **options: Any) -> None:
        python = sys.executable
        celery = os.path.join(os.path.dirname(python), "celery")
        self.allow_sandbox(f"http://127.0.0.1:{sandbox_port}")
        commands = {
            "sandbox": [python, "manage.py", "sandbox", "--port", str(sandbox_port), "--demo-scale", str(demo_scale)],
            "worker": [celery, "-A", "telcoportal.celery", "worker", "-B", "--loglevel", "INFO", "--concurrency", "2"],
            "web": [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        }
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        signal.signal(signal.SIGTERM, stop_on_sigterm)  # `kill` stops the children too, as Ctrl-C does
        try:
            self.seed(f"http://127.0.0.1:{sandbox_port}")
            self.stdout.write(
                self.style.SUCCESS(f"\nTelcoportal is at http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n")
            )
            self.stdout.write(api_hint(f"http://127.0.0.1:{port}"))
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            failed = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"stopped: {', '.join(failed)}")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def allow_sandbox(self, origin: str) -> None:
        """Provider requests go only to allowed origins: this process and its children allow the sandbox."""
        allowed = [e for e in os.environ.get("PROVIDER_URL_ALLOWLIST", "").split(",") if e.strip()]
        if origin not in allowed:
            allowed.append(origin)
        os.environ["PROVIDER_URL_ALLOWLIST"] = ",".join(allowed)
        settings.PROVIDER_URL_ALLOWLIST = allowed

    def seed(self, sandbox_url: str) -> None:
        """Once the sandbox answers: bring in its SMS history and call records and check the accounts."""
        for _ in range(100):
            try:
                requests.get(f"{sandbox_url}/_sandbox/requests", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            self.stderr.write("the sandbox did not start; skipping the demo history")
            return
        from accounts.tasks import provider_accounts_check_all
        from telephony.tasks import calls_import_all

        call_command("sms_import", days=7, stdout=self.stdout, stderr=self.stderr)
        calls_import_all.delay()
        provider_accounts_check_all.delay()


def stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
