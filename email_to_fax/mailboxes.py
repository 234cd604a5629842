"""Reading a team's mailbox: an IMAP folder polled with imap-tools, or (the demo's) a folder of .eml files.

A mail is marked read (IMAP ``\\Seen``) or moved aside (the folder) only after ``mail_take`` has committed
what it became, so a crash or an outage in between leaves it to be read again; its Message-ID claim keeps
the second reading from sending anything twice. A mailbox that refuses the login or cannot be reached is
shown on the settings page and told to the team once (a notification), and its mails wait on the server.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage, MailMessageFlags
from imap_tools.errors import ImapToolsError, MailboxLoginError

from notifications.models import Kind
from notifications.services import condition_clear, notify

from .intake import mail_take
from .models import ImapSecurity, Mailbox, MailboxKind, MailboxState

log = logging.getLogger(__name__)

POLL_LIMIT = 50  # mails read per poll; the rest on the next one
IMAP_TIMEOUT = 30  # seconds, for the connection and each command


class _RawMessage(MailMessage):
    """imap-tools' message keeping the bytes as the server sent them (mail_take reads them itself)."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


def login_condition(mailbox: Mailbox) -> str:
    return f"fax-mailbox:{mailbox.pk}"


def mailbox_poll(*, mailbox: Mailbox) -> str:
    if not mailbox.enabled:
        return "disabled"
    if mailbox.kind == MailboxKind.IMAP:
        return _poll_imap(mailbox)
    if mailbox.kind == MailboxKind.FOLDER:
        return _poll_folder(mailbox)
    return "pushed"  # the SMTP receiver hands its mails over as they come


def _poll_imap(mailbox: Mailbox) -> str:
    taken = 0
    try:
        with _connected(mailbox) as box:
            box.email_message_class = _RawMessage
            heads = list(box.fetch(AND(seen=False), mark_seen=False, headers_only=True, limit=POLL_LIMIT))
            for head in heads:
                assert isinstance(head, _RawMessage) and head.uid
                full = head if head.size_rfc822 > _max_bytes() else _fetch_one(box, head.uid)
                if full is None:  # gone meanwhile (another client deleted it)
                    continue
                try:
                    mail_take(mailbox=mailbox, raw=full.raw, size=head.size_rfc822 or len(full.raw))
                except Exception:  # left unread, so the next poll reads it again; the other mails go on
                    log.exception(
                        "fax mailbox %s: mail %s could not be read; it stays for the next poll", mailbox.pk, head.uid
                    )
                    continue
                box.flag(head.uid, MailMessageFlags.SEEN, True)
                taken += 1
    except MailboxLoginError as exc:
        _trouble(mailbox, MailboxState.LOGIN_FAILED, exc)
        return "login failed"
    except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
        _trouble(mailbox, MailboxState.UNREACHABLE, exc)
        return "unreachable"
    _working(mailbox)
    return f"read {taken}"


def _max_bytes() -> int:
    from .intake import max_mail_bytes

    return max_mail_bytes()


def _fetch_one(box: BaseMailBox, uid: str) -> _RawMessage | None:
    for message in box.fetch(uid_list=[uid], mark_seen=False):
        assert isinstance(message, _RawMessage)
        return message
    return None


@contextmanager
def _connected(mailbox: Mailbox) -> Iterator[BaseMailBox]:
    box: BaseMailBox
    if mailbox.imap_security == ImapSecurity.TLS:
        box = MailBox(
            mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT, ssl_context=ssl.create_default_context()
        )
    elif mailbox.imap_security == ImapSecurity.STARTTLS:
        box = MailBoxStartTls(
            mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT, ssl_context=ssl.create_default_context()
        )
    else:
        box = MailBoxUnencrypted(mailbox.imap_host, mailbox.imap_port, timeout=IMAP_TIMEOUT)
    try:
        box.login(mailbox.imap_user, mailbox.password, initial_folder=mailbox.imap_folder or "INBOX")
        yield box
    finally:
        try:
            if box.login_result is not None:
                box.logout()
            else:
                box.client.shutdown()
        except (OSError, imaplib.IMAP4.error, ImapToolsError):
            pass


def _poll_folder(mailbox: Mailbox) -> str:
    folder = demo_folder(mailbox)
    if folder is None:
        _trouble(mailbox, MailboxState.UNREACHABLE, "EMAIL_TO_FAX_FOLDER_ROOT is not set")
        return "unreachable"
    done = folder / "done"
    done.mkdir(parents=True, exist_ok=True)
    taken = 0
    for path in sorted(folder.glob("*.eml"))[:POLL_LIMIT]:
        try:
            mail_take(mailbox=mailbox, raw=path.read_bytes())
        except Exception:
            log.exception("fax mailbox %s: %s could not be read; it stays for the next poll", mailbox.pk, path.name)
            continue
        path.rename(done / path.name)
        taken += 1
    _working(mailbox)
    return f"read {taken}"


def demo_folder(mailbox: Mailbox) -> Path | None:
    """The folder of a folder mailbox: a sub-folder of the operator's EMAIL_TO_FAX_FOLDER_ROOT, never elsewhere."""
    root = str(getattr(settings, "EMAIL_TO_FAX_FOLDER_ROOT", "") or "")
    if not root or not mailbox.address_name:
        return None
    return Path(root) / mailbox.address_name


def _working(mailbox: Mailbox) -> None:
    was = mailbox.state
    Mailbox.objects.filter(pk=mailbox.pk).update(state=MailboxState.OK, state_detail="", checked_at=timezone.now())
    if was != MailboxState.OK:
        condition_clear(team=mailbox.team, key=login_condition(mailbox))


def _trouble(mailbox: Mailbox, state: str, problem: object) -> None:
    detail = str(problem)
    if mailbox.password:
        detail = detail.replace(mailbox.password, "***")
    detail = detail[:300]
    log.warning("fax mailbox %s: %s (%s)", mailbox.pk, state, detail)
    Mailbox.objects.filter(pk=mailbox.pk).update(state=state, state_detail=detail, checked_at=timezone.now())
    notify(
        team=mailbox.team,
        kind=Kind.FAX_MAILBOX_FAILING,
        params={"state": state, "detail": detail},
        url=reverse("email-to-fax"),
        key=login_condition(mailbox),
    )
