"""Runs the email-to-fax SMTP receiver in the foreground (docs/fax-email.md, "The SMTP receiver")."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from email_to_fax.receiver_addresses import receiver_domain
from email_to_fax.smtp_receiver import receiver


class Command(BaseCommand):
    help = "Receives mail for <fax number>@<address name>.EMAIL_TO_FAX_DOMAIN and turns it into faxes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on (default 2525).")

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        if not receiver_domain():
            raise CommandError("Set EMAIL_TO_FAX_DOMAIN (such as fax.example.com) first: addresses live under it.")
        controller = receiver(host, port)
        controller.start()
        self.stdout.write(f"Receiving fax mail for *.{receiver_domain()} on {host}:{port}; Ctrl-C stops.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
