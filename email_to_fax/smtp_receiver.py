"""The portal's own SMTP receiver (``manage.py fax_smtp_receiver``, aiosmtpd): mail for
``<fax number>@<address name>.<EMAIL_TO_FAX_DOMAIN>`` is handed to ``mail_take`` as it arrives.

It takes only addresses of an enabled receiver mailbox (any other recipient: 550, so no open relay), answers
250 once the mail's fate is committed, and 451 (the sending server tries again later) when it could not be
read for a passing reason: a mail is never lost between the two. Put it behind the domain's MX (or a relay
that adds Authentication-Results) as docs/fax-email.md describes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections

from .intake import mail_take, max_mail_bytes
from .models import Mailbox
from .receiver_addresses import mailbox_for_address

log = logging.getLogger(__name__)


def _take(addresses: list[str], raw: bytes) -> None:
    close_old_connections()
    try:
        mailboxes: dict[int, tuple[Mailbox, list[str]]] = {}
        for address in addresses:
            mailbox = mailbox_for_address(address)
            if mailbox is not None:
                mailboxes.setdefault(mailbox.pk, (mailbox, []))[1].append(address)
        for mailbox, recipients in mailboxes.values():
            mail_take(mailbox=mailbox, raw=raw, envelope_recipients=tuple(recipients))
    finally:
        close_old_connections()


class FaxMailHandler:
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        mailbox = await asyncio.get_running_loop().run_in_executor(None, _known, address)
        if not mailbox:
            return "550 5.1.1 No fax mailbox at this address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            await asyncio.get_running_loop().run_in_executor(None, _take, list(envelope.rcpt_tos), raw)
        except Exception:
            log.exception("a mail to %s could not be taken in", ", ".join(envelope.rcpt_tos))
            return "451 4.3.0 Could not take the mail now; try again later"
        return "250 OK: read"


def _known(address: str) -> bool:
    close_old_connections()
    try:
        return mailbox_for_address(address) is not None
    finally:
        close_old_connections()


def receiver(host: str, port: int, **kwargs: Any) -> Controller:
    """The receiver, not started: ``.start()`` runs it in a thread, ``.stop()`` ends it."""
    # Twice the mail limit: a larger mail than the limit is still read, to tell its sender; past this the
    # SMTP answer (552) is the sender's notice, from their own server.
    return Controller(
        FaxMailHandler(), hostname=host, port=port, data_size_limit=2 * max_mail_bytes(), decode_data=False, **kwargs
    )
