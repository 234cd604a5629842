"""Why a mail did not become a fax: a key and parameters, kept on the mail and written in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fax.timeline import render_error


class MailRefused(Exception):
    """A mail that sends nothing; ``key`` and ``params`` say why (TEXTS)."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


TEXTS: dict[str, Promise] = {
    "not_member": _(
        "Faxes are sent by email only from the address a member of %(team)s signs in with; "
        "%(sender)s is not one of them."
    ),
    "auth_failed": _(
        "The mail failed the sender checks of your mail server (%(checks)s), so it may not come from you."
    ),
    "no_number": _(
        "No fax number was found. Write it in the subject, as in “Fax: +90 212 555 01 23”, "
        "or send the mail to the number's own address (%(example)s)."
    ),
    "bad_number": _("Not a valid fax number: %(numbers)s."),
    "too_many_numbers": _("At most %(max)d fax numbers in one mail."),
    "no_document": _("The mail has no document to fax: attach a PDF, TIFF, PNG or JPEG file."),
    "too_many_files": _("At most %(max)d documents in one mail."),
    "document": _("%(name)s: %(error)s"),
    "name_mismatch": _("%(name)s is not what its name says: its content is %(found)s."),
    "file_too_big": _("%(name)s is larger than %(mb)d MB, this provider's limit."),
    "mail_too_big": _("The mail is larger than %(mb)d MB, the largest we take."),
    "confirm_pages": _(
        "The fax would have %(pages)d pages: a fax of %(max)d pages or more is sent only from the web page, "
        "where its length is confirmed."
    ),
    "no_account": _("No provider account is chosen for faxes by email; an admin sets one on the Email to fax page."),
    "unknown_account": _("There is no fax provider account named “%(name)s”."),
    "account_no_number": _("The provider account %(account)s has no fax number to send from."),
    "unreadable": _("The mail could not be read."),
}


def refusal_text(key: str, params: dict[str, Any]) -> str:
    """The refusal in the active language; a document's own error (kept as a stored text) read with it."""
    template = TEXTS.get(key)
    if template is None:
        return key
    values = {name: render_error(value) if isinstance(value, dict) else value for name, value in params.items()}
    try:
        return str(template) % values if values else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
