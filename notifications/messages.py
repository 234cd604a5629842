"""The text of each kind of notification, written out in the reader's language.

A notification stores its kind and plain parameters (numbers, names, codes, UTC times
as ISO strings, errors kept as a key and parameters); the sentence around them is
translated when it is read, shown or emailed. A parameter only its app can put in words
(a fax's status code, a fax's error key) is shown by what that app registered for its
kinds when it was ready (``kind_formatters_register``): notifications imports no feature app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts.provider_errors import render_text

from .models import Kind

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .models import Notification

TEXTS: dict[str, Promise] = {
    Kind.RECEIVED_FAX: _("New fax from %(number)s on %(account)s"),
    Kind.BATCH_FINISHED: _(
        "SMS batch #%(id)s from %(sender)s finished: %(delivered)s delivered, %(undelivered)s not delivered."
    ),
    Kind.BATCH_FAILURES: _(
        "SMS batch #%(id)s from %(sender)s finished with failures: %(failed)s not accepted by the provider, "
        "%(delivered)s delivered, %(undelivered)s not delivered."
    ),
    Kind.CREDENTIALS_FAILING: _("%(account)s stopped working: %(error)s"),
    Kind.LOW_BALANCE: _("%(account)s balance is %(balance)s %(currency)s, under the %(threshold)s threshold."),
    # No full stop after the time: English formats end in "p.m.".
    Kind.FAX_STUCK: _("Fax %(id)s to %(number)s has been %(status)s since %(since)s"),
    Kind.FAX_FAILED: _("Fax %(id)s to %(number)s failed: %(error)s"),
    # No full stop after the time: English formats end in "p.m.".
    Kind.WEBHOOK_DISABLED: _("Webhook endpoint %(url)s was disabled: its deliveries have failed since %(since)s"),
    # "export": the list's export by its name in the reader's language ("Calls export"), registered by exportjobs.
    Kind.EXPORT_READY: _("%(export)s is ready to download: %(rows)s rows, %(format)s."),
    Kind.FAX_MAILBOX_FAILING: _(
        "Email to fax cannot read the team's mailbox (%(state)s): %(detail)s. Its mails wait there until it can."
    ),
}
# When the provider gave no reason.
FAX_FAILED_BARE = _("Fax %(id)s to %(number)s failed.")


def _amount(value: Any) -> str:
    try:
        return formats.number_format(Decimal(str(value)), decimal_pos=2, use_l10n=True)
    except (InvalidOperation, ValueError):
        return str(value)


# Parameters that are not shown as stored: a number gets the reader's decimal separator,
# a UTC time is shown in the team's zone.
FORMATTERS: dict[str, Callable[[Any], str]] = {
    "balance": _amount,
    "threshold": _amount,
}
# kind -> parameter -> how it is shown, registered by the app the kind is about.
KIND_FORMATTERS: dict[str, dict[str, Callable[[Any], str]]] = {}


def kind_formatters_register(kind: str, **formatters: Callable[[Any], str]) -> None:
    """How the parameters of ``kind`` named here are shown (an app's ``AppConfig.ready`` calls it)."""
    KIND_FORMATTERS.setdefault(kind, {}).update(formatters)


def _shown(kind: str, name: str, value: Any, tz: Any) -> Any:
    formatter = KIND_FORMATTERS.get(kind, {}).get(name)
    if formatter is not None:
        return formatter(value)
    if isinstance(value, dict):  # an error kept as a key and parameters (a provider's)
        return render_text(value)
    if name in FORMATTERS:
        return FORMATTERS[name](value)
    if name == "since" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):  # a time read back from an old sentence: already local
            return value
        return formats.date_format(timezone.localtime(moment, tz), "SHORT_DATETIME_FORMAT")
    return value


def render(kind: str, params: dict[str, Any], *, tz: Any = None) -> str:
    text = TEXTS.get(kind)
    if kind == Kind.FAX_FAILED and not params.get("error"):
        text = FAX_FAILED_BARE
    if text is None:
        return ""
    shown = {name: _shown(kind, name, value, tz) for name, value in params.items()}
    try:
        return str(text) % shown
    except (KeyError, TypeError, ValueError):  # a row older than a change of its sentence
        return str(Kind(kind).label) if kind in Kind.values else ""


def notification_text(notification: Notification) -> str:
    if not notification.params and notification.legacy_message:
        return notification.legacy_message
    tz = notification.team.tzinfo if notification.team_id else None
    return render(notification.kind, notification.params, tz=tz)


def notification_text_in(notification: Notification, language: str) -> tuple[str, str]:
    """(subject, text) of the notification in ``language``, for an email."""
    with override(language):
        return str(Kind(notification.kind).label), notification.message
