"""A real SMTP receiver for the tests: aiosmtpd in a thread, standing in for people's mailboxes.

Django's SMTP backend talks to it over a real socket, so what a test reads is what a mail server
would have received: the envelope, the headers and the MIME parts, attachments included.

    def test_it_mails_the_member(smtp_server):
        ...                                   # code that sends mail through Django
        mail = smtp_server.wait_for(1)[0]     # CapturedMail, parsed with the modern email policy
        assert mail.rcpt_tos == ["bob@example.com"]

``smtp_server`` points ``EMAIL_BACKEND`` at the receiver (and restores the settings after). The
receiver can also go away and come back (``with smtp_server.down(): ...``) on the same port, so
a test can show what a mail server outage does, and can refuse chosen recipients with a 550
(``smtp_server.reject("gone@example.com")``) for bounces, or hang up once a message's data is sent
(``smtp_server.hang_up_after_data = True``), leaving the sender not knowing whether it arrived.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class CapturedMail:
    """One mail as the receiver got it: the SMTP envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "").strip()  # a folded, encoded header may start with a space

    def text(self) -> str:
        """The plain-text body (the first text/plain part)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(file name, content type, bytes) of each attachment."""
        return [
            (part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True) or b"")
            for part in self.message.iter_attachments()
        ]


class _Handler:
    def __init__(self, server: SmtpCapture) -> None:
        self.server = server

    async def handle_RCPT(  # aiosmtpd calls its hooks by these names
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.server.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        if self.server.hang_up_after_data:
            assert smtp.transport is not None
            smtp.transport.close()
            return "421 closing"
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.server.deliver(
            CapturedMail(
                mail_from=str(envelope.mail_from or ""),
                rcpt_tos=list(envelope.rcpt_tos),
                raw=raw,
                message=message,
            )
        )
        return "250 Message accepted"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class SmtpCapture:
    """An aiosmtpd server on ``host:port`` keeping every mail it accepts, in order."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.rejected: set[str] = set()
        # the connection drops after the message was sent, before the server's answer: "did it arrive?"
        self.hang_up_after_data = False
        self._messages: list[CapturedMail] = []
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    # --- running ---------------------------------------------------------------------
    def start(self) -> None:
        if self._controller is None:
            controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    @contextmanager
    def down(self) -> Iterator[None]:
        """The mail server is unreachable inside the block (connection refused), back after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def reject(self, *addresses: str) -> None:
        """These recipients are refused at RCPT TO with a permanent 550 (a bounce at the door)."""
        self.rejected.update(a.lower() for a in addresses)

    # --- reading ---------------------------------------------------------------------
    def deliver(self, mail: CapturedMail) -> None:
        with self._arrived:
            self._messages.append(mail)
            self._arrived.notify_all()

    @property
    def messages(self) -> list[CapturedMail]:
        with self._arrived:
            return list(self._messages)

    def to(self, address: str) -> list[CapturedMail]:
        """The mails whose envelope names this recipient."""
        wanted = address.lower()
        return [m for m in self.messages if wanted in (r.lower() for r in m.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[CapturedMail]:
        """Waits until at least ``count`` mails arrived; fails the test if they do not in time."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self._messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self._messages)} mail(s) arrived, {count} expected")
                self._arrived.wait(left)
            return list(self._messages)

    def clear(self) -> None:
        with self._arrived:
            self._messages.clear()

    def django_settings(self) -> dict[str, Any]:
        """The settings that send Django's mail here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }


@contextmanager
def running_smtp_capture(port: int | None = None) -> Iterator[SmtpCapture]:
    server = SmtpCapture(port=port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpCapture]:
    """A running capture server with Django's mail pointed at it (import it into a conftest to use)."""
    with running_smtp_capture() as server:
        for name, value in server.django_settings().items():
            setattr(settings, name, value)
        yield server
