"""What the send writes about a chunk in the background, as keys: rendered in the reader's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.provider_errors import render_text
from accounts.stored_text import StoredText

# key -> text with %(name)s parameters (provider errors' keys come from accounts.provider_errors)
TEXTS: dict[str, Promise] = {
    "sms.account_incomplete": _(
        "The provider account is incomplete (%(reason)s): fix it, then retry the failed chunks."
    ),
    "sms.time_limit": _("The send was stopped by its time limit while this chunk was on its way to the provider."),
    "sms.not_in_reports": _("The provider's reports do not show this chunk: it was not sent and can be retried."),
    "sms.cut_off": _("The send stopped while this chunk was on its way to the provider: its reports will tell."),
    "sms.store_failed": _(
        "The recipients could not be stored, so nothing was sent. Send the file again; if it fails again, "
        "the worker's log says why."
    ),
    "sms.store_lost": _(
        "The recipients to store were no longer kept (they are kept for a day), so nothing was sent. "
        "Send the file again."
    ),
}


def render(value: StoredText | str | None, *, old_text: str | None = None) -> str:
    return render_text(value, TEXTS, old_text=old_text)
