"""A mail as bytes read into what email to fax needs: who sent it, to whom, the subject, the text, the files.

Only the standard library's parser reads the mail (``policy.default``); nothing here decodes a document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from django.conf import settings

# Addresses the mail was delivered to: the headers MTAs and forwarders leave, besides To and Cc.
RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str  # the From address, lower-case
    subject: str
    recipients: tuple[str, ...]
    body: str
    attachments: tuple[Attachment, ...]
    failed_checks: tuple[str, ...] = ()  # "spf", "dkim", "dmarc": what the receiving server found failing
    automatic: bool = False  # an auto-reply, a bounce, a list: never answered (no mail loops)


def mail_parse(raw: bytes, *, envelope_recipients: Sequence[str] = ()) -> ParsedMail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("from", "")))[1].strip().lower()
    recipients = [a for _, a in getaddresses([str(v) for h in RECIPIENT_HEADERS for v in message.get_all(h, [])])]
    subject = " ".join(str(message.get("subject", "")).split())
    return ParsedMail(
        message_id=_message_id(message, raw),
        sender=sender,
        subject=subject,
        recipients=tuple(dict.fromkeys(a.strip().lower() for a in [*envelope_recipients, *recipients] if a)),
        body=_body(message),
        attachments=tuple(_attachments(message)),
        failed_checks=failed_checks(message.get_all("authentication-results", [])),
        automatic=_is_automatic(message, sender),
    )


def _message_id(message: EmailMessage, raw: bytes) -> str:
    """Its Message-ID; a mail without one is named by its content, so the same bytes are still one mail."""
    found = str(message.get("message-id", "")).strip()
    return found[:300] if found else f"<sha256-{hashlib.sha256(raw).hexdigest()}@email-to-fax>"


def failed_checks(headers: Iterable[object]) -> tuple[str, ...]:
    """The checks (SPF, DKIM, DMARC) an ``Authentication-Results`` header reports as failed.

    Only headers written by the servers named in EMAIL_TO_FAX_AUTHSERV_IDS count when it is set (anyone can
    write the header into a mail; our own server's is the one to believe). DKIM fails when no signature
    passed: a mail may carry a broken signature beside a good one.
    """
    trusted = {s.lower() for s in getattr(settings, "EMAIL_TO_FAX_AUTHSERV_IDS", [])}
    results: dict[str, set[str]] = {}
    for header in headers:
        text = str(header)
        authserv = text.split(";", 1)[0].strip().split()[0].lower() if text.strip() else ""
        if trusted and authserv not in trusted:
            continue
        for method, result in AUTH_RESULT.findall(text.split(";", 1)[-1]):
            results.setdefault(method.lower(), set()).add(result.lower())
    failed = []
    if "fail" in results.get("spf", set()):
        failed.append("spf")
    dkim = results.get("dkim", set())
    if dkim and "pass" not in dkim and dkim & {"fail", "permerror"}:
        failed.append("dkim")
    if "fail" in results.get("dmarc", set()):
        failed.append("dmarc")
    return tuple(failed)


def _is_automatic(message: EmailMessage, sender: str) -> bool:
    auto = str(message.get("auto-submitted", "no")).strip().lower()
    local = sender.partition("@")[0]
    return (
        auto not in ("", "no")
        or bool(message.get("list-id"))
        or str(message.get("precedence", "")).strip().lower() in ("bulk", "junk", "list")
        or local in ("mailer-daemon", "postmaster", "")
        or sender == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    )


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        return str(part.get_content()).strip()
    except (LookupError, ValueError):  # an unknown charset
        return ""


def _attachments(message: EmailMessage) -> Iterable[Attachment]:
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        if part.get_content_maintype() == "text" and not part.get_filename():
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError):
            content = part.get_payload(decode=True) or b""
        if isinstance(content, str):
            content = content.encode()
        if not isinstance(content, bytes):  # a mail attached to the mail: not a document
            continue
        yield Attachment(filename=(part.get_filename() or "attachment")[:200], content=content)
