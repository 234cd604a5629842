"""A fax's timeline in the reader's language: events are stored as a key and parameters, rendered when read.

Texts the provider wrote (its status words, its error messages) are kept as they came and shown as they are.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.provider_errors import TEXTS as PROVIDER_TEXTS
from accounts.provider_errors import render_text
from accounts.stored_text import StoredText, stored
from core.phones import display_digits

from .documents import TEXTS as DOCUMENT_TEXTS

# key -> text with %(name)s parameters
TEXTS: dict[str, Promise] = {
    "attempt": _("Attempt %(n)d"),
    "accepted": _("The provider accepted the fax (id %(id)s)."),
    "unknown": _("No answer from the provider: we look for the fax there, not resending."),
    "resumed": _("Its send had stopped: queued again."),
    "held": _("Held here until its time: until then its time can be changed or it can be cancelled."),
    "released": _("Its time is near: handed to the send queue."),
    "moved": _("Its send time was changed."),
    "retry_asked": _("Retry asked of the provider."),
    "cancelled_here": _("Cancelled before it was sent."),
    "cancel_asked": _("Cancel asked of the provider."),
    "resend_of": _("Resend of fax %(id)s"),
    "stuck": _("Fax %(id)s to %(number)s has been %(status)s since %(since)s."),
    "document_missing": _("The provider's document could not be stored; it is fetched again shortly."),
    "pasifik_counts": _("delivered %(delivered)d/%(count)d, undelivered %(undelivered)d, waiting %(waiting)d"),
    # a fax's error (Fax.error_stored), on the timeline too; provider errors' keys come from accounts.provider_errors
    "account_gone": _("The provider account is gone or inactive."),
    "send_cut_off": _("The send stopped while the fax was on its way to the provider."),
    "gave_up": _("%(error)s Gave up after %(n)d attempts."),
    "no_record": _("The provider has no record of this fax: it was not sent. You can retry it."),
    # why a document cannot be faxed (a draft's preview)
    **{f"document.{key}": text for key, text in DOCUMENT_TEXTS.items()},
}

# what an event without a status is called on the timeline
KIND_LABELS: dict[str, Promise] = {
    "scheduled": _("Scheduled"),
    "queued": _("Queued"),
    "attempt": _("Attempt"),
    "accepted": _("Accepted"),
    "status": _("Status"),
    "failed": _("Failed"),
    "unknown": _("Outcome unknown"),
    "requeued": _("Queued again"),
    "resumed": _("Resumed"),
    "retry": _("Retry"),
    "cancel": _("Cancel"),
    "received": _("Received"),
    "error": _("Error"),
    "stuck": _("Stuck"),
}

# Pasifik's report is numbers; we keep them in this form in provider_status (language-neutral, comparable).
PASIFIK_COUNTS = re.compile(r"^delivered (\d+)/(\d+), undelivered (\d+), waiting (\d+)$")


def render(key: str, params: dict[str, Any]) -> str:
    """The text of ``key`` in the active language; "" for an unknown key."""
    if key not in TEXTS and key not in PROVIDER_TEXTS:
        return ""
    return render_text(stored(key, **{name: _value(name, value) for name, value in params.items()}), TEXTS)


def render_error(value: StoredText | str | None, *, old_text: str | None = None) -> str:
    """A fax's stored error in the reader's language (``old_text``: the row's text from before keys)."""
    return render_text(value, TEXTS, old_text=old_text)


def status_word(value: Any) -> str:
    """A status code as its label within a sentence ("sending"); an unknown code as itself."""
    from .models import Status

    try:
        return str(Status(value).label).lower()
    except ValueError:
        return str(value)


def _value(name: str, value: Any) -> Any:
    if name == "status":
        return status_word(value)
    if name == "since" and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if name == "number" and isinstance(value, str):
        return display_digits(value)
    return value


def provider_status_text(text: str) -> str:
    """What the provider said, in the reader's language where we composed it ourselves."""
    counts = PASIFIK_COUNTS.match(text or "")
    if counts:
        delivered, count, undelivered, waiting = (int(n) for n in counts.groups())
        return render(
            "pasifik_counts",
            {"delivered": delivered, "count": count, "undelivered": undelivered, "waiting": waiting},
        )
    return text


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind
