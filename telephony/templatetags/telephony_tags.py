"""Provider codes in a live call or PBX answer, in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.translation import gettext as _

from telephony.countries import country_name, destination_name
from telephony.models import CallRecord
from telephony.status import CALL_STATE_TEXT, CHANNEL_STATE_TEXT

register = template.Library()


@register.filter
def call_state(code: str) -> str:
    """A telephone live call's ``cc_state``; an unknown code as the provider sent it."""
    return str(CALL_STATE_TEXT.get(code, code))


@register.filter
def channel_state(code: str) -> str:
    """A PBX channel's state (Up, Ring, Ringing, Down…)."""
    return str(CHANNEL_STATE_TEXT.get(code, code))


@register.filter
def country(call: Any) -> str:
    """The country of a live call (a dict of ``live_calls_data``) or a call record."""
    if isinstance(call, dict):
        return country_name(call.get("country") or "", call.get("callee_number") or "")
    return country_name(getattr(call, "country", "") or "", getattr(call, "callee", "") or "")


@register.filter
def destination(call: dict[str, Any]) -> str:
    """A live call's operator or area (a dict of ``live_calls_data``), else the provider's description."""
    return destination_name(call.get("callee_number") or "", call.get("description") or "")


@register.filter
def skipped_reason(record: dict[str, str]) -> str:
    """Why an import skipped a record (``SkippedRecord.as_data()``), in the reader's language."""
    name = record.get("field", "")
    try:
        model_field = CallRecord._meta.get_field(name) if name else None
    except FieldDoesNotExist:
        model_field = None
    field = str(model_field.verbose_name) if isinstance(model_field, Field) else name
    values = {"field": field, "value": record.get("detail", ""), "detail": record.get("detail", "")}
    texts = {
        "out_of_range": _("%(field)s is out of range: %(value)s"),
        "not_a_number": _("%(field)s is not a number: %(value)s"),
        "no_id": _("the record has no id"),
        "unreadable": _("the record could not be read (%(detail)s)"),
        "refused": _("the database refused it (%(detail)s)"),
    }
    text = texts.get(record.get("code", ""))
    return text % values if text else record.get("detail", "") or record.get("code", "")
