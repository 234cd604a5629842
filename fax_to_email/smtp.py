"""Handing one mail to the portal's SMTP server, telling apart "not sent", "refused" and "may have been sent".

Django's ``send()`` says only that something failed. Whether the mail may be sent again depends on when
it failed: before the server accepted the DATA command nothing was handed over (try again later);
a reply code is the server's decision (4xx later, 5xx never); a connection that breaks while the
message is on its way leaves the outcome unknown, which is recorded and never retried blindly.
The connection itself (host, port, TLS, login) is Django's SMTP backend's, from the EMAIL_* settings.
"""

from __future__ import annotations

import contextlib
import smtplib

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

from .outcomes import Outcome, Result


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}"[:300]


def _refusal(code: int, text: bytes | str, *, permanent: str, temporary: str, bounce: bool = False) -> Outcome:
    if 400 <= code < 500:
        return Outcome(Result.TEMPORARY, temporary, _reply(code, text))
    return Outcome(Result.BOUNCED if bounce else Result.PERMANENT, permanent, _reply(code, text))


def transmit(message: EmailMessage) -> Outcome:
    """Sends ``message`` to its recipients (one, for a fax delivery) and says how it went."""
    backend = get_connection()
    if not isinstance(backend, SmtpBackend):  # the demo's console backend, the tests' locmem one
        try:
            backend.send_messages([message])
        except Exception as exc:
            return Outcome(Result.TEMPORARY, "mail_error", type(exc).__name__)
        return Outcome(Result.SENT)
    try:
        backend.open()
    except smtplib.SMTPAuthenticationError as exc:
        return Outcome(Result.TEMPORARY, "login", str(exc.smtp_code))
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(Result.TEMPORARY, "unreachable", type(exc).__name__)
    try:
        return _conversation(backend, message)
    finally:
        with contextlib.suppress(Exception):  # the outcome is known: a QUIT that fails changes nothing
            backend.close()


def _conversation(backend: SmtpBackend, message: EmailMessage) -> Outcome:
    smtp = backend.connection
    assert smtp is not None
    encoding = message.encoding or "utf-8"
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    try:
        body = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # Django's MIMEMixin has it
        smtp.ehlo_or_helo_if_needed()
        code, text = smtp.mail(sender)
        if code != 250:
            return _refusal(code, text, permanent="sender_refused", temporary="server_deferred")
        for recipient in recipients:
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                return _refusal(code, text, permanent="recipient_refused", temporary="recipient_deferred", bounce=True)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(Result.TEMPORARY, "connection_lost", type(exc).__name__)
    try:
        code, text = smtp.data(body)
    except smtplib.SMTPDataError as exc:  # DATA itself refused: the message was not handed over
        return _refusal(exc.smtp_code, exc.smtp_error, permanent="content_refused", temporary="content_deferred")
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(Result.UNKNOWN, "outcome_unknown", type(exc).__name__)
    if code != 250:
        return _refusal(code, text, permanent="content_refused", temporary="content_deferred")
    return Outcome(Result.SENT, "", _reply(code, text))
