"""What an attempt to mail a received fax came to, and why, kept as keys and read in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.utils.translation import gettext_lazy as _


class Result(Enum):
    SENT = "sent"
    TEMPORARY = "temporary"  # certainly not delivered, worth trying again (server down, 4xx)
    PERMANENT = "permanent"  # certainly not delivered, trying again would not help (5xx)
    BOUNCED = "bounced"  # the server refused the recipient's address for good
    UNKNOWN = "unknown"  # the server may have the mail: never sent again without a person deciding


@dataclass(frozen=True)
class Outcome:
    result: Result
    key: str = ""  # a key of REASONS
    detail: str = ""  # the server's reply or the error's name (never a credential)


REASONS = {
    "unreachable": _("The mail server could not be reached."),
    "login": _("The mail server refused the portal's login."),
    "sender_refused": _("The mail server refused the sender address."),
    "server_deferred": _("The mail server asked to try later."),
    "recipient_refused": _("The mail server refused this address."),
    "recipient_deferred": _("The mail server asked to try this address later."),
    "content_refused": _("The mail server refused the message."),
    "content_deferred": _("The mail server asked to try the message later."),
    "connection_lost": _("The connection to the mail server broke before the message was handed over."),
    "outcome_unknown": _(
        "The connection to the mail server broke while it had the message: it may have been delivered. "
        "It is not sent again unless someone chooses to."
    ),
    "worker_lost": _(
        "The worker sending it stopped before it finished: it may have been delivered. "
        "It is not sent again unless someone chooses to."
    ),
    "document_unreadable": _("The received document could not be read."),
    "mail_error": _("The mail could not be sent."),
}


def reason_text(key: str, detail: str = "") -> str:
    if not key:
        return ""
    text = str(REASONS.get(key, key))
    return f"{text} ({detail})" if detail else text
