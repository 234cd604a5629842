"""The writes every step of a fax shares: its status, its error and its timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.stored_text import StoredText

from ..models import UNFINISHED, Fax, FaxEvent, Status
from ..notices import fax_failed_notify
from ..signals import fax_finished
from ..webhook_events import fax_status_emit


def set_status(
    fax: Fax, status: str, provider_status: str, message: StoredText | str = "", *, force_event: bool = False
) -> None:
    changed = status != fax.status
    previous = fax.status
    said_more = bool(provider_status) and provider_status[:100] != fax.provider_status
    now = timezone.now()
    fields: dict[str, Any] = {"provider_status": provider_status[:100]}
    if changed:
        fields.update(status=status, status_changed_at=now, is_stuck=False)
        fields["completed_at"] = None if status in UNFINISHED else now
    Fax.objects.filter(pk=fax.pk).update(**fields)
    for name, value in fields.items():
        setattr(fax, name, value)
    if changed or force_event or said_more:
        add_event(fax, "status", status, message or provider_status)
    if changed and status == Status.FAILED:
        fax_failed_notify(fax=fax)
    if changed:
        fax_status_emit(fax=fax, previous=previous)
    if changed and status not in UNFINISHED:
        fax_finished.send(sender=Fax, fax=fax)


def finish(fax: Fax, status: str, *, message: StoredText | str, update: Sequence[str] = ()) -> None:
    fax.save(update_fields=[*set_error(fax, message), *update])
    set_status(fax, status, fax.provider_status, message)


def add_event(
    fax: Fax,
    kind: str,
    status: str,
    message: StoredText | str = "",
    *,
    key: str = "",
    params: dict[str, Any] | None = None,
    actor: User | None = None,
) -> FaxEvent:
    """A timeline line: ours as ``key`` + ``params`` (rendered in the reader's language), the provider's as text.

    ``message`` may be a stored text (an error): its key and parameters are kept the same way.
    """
    if isinstance(message, dict):
        key, params, message = message["key"], message.get("params") or {}, ""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return FaxEvent.objects.create(
        fax=fax, kind=kind, status=status, message_key=key, params=params or {}, message=message[:2000], actor=user
    )


def set_error(fax: Fax, message: StoredText | str) -> dict[str, Any]:
    """Sets the fax's error (ours as a stored text; "" clears it); the fields to save."""
    if isinstance(message, dict):
        fields: dict[str, Any] = {"error": "", "error_stored": message}
    else:
        fields = {"error": message, "error_stored": {}}
    for name, value in fields.items():
        setattr(fax, name, value)
    return fields


def is_new_error(fax: Fax, message: StoredText | str) -> bool:
    """Whether ``message`` differs from the error the fax already shows (a repeated poll writes nothing)."""
    return message != (fax.error_stored or fax.error)
