"""Provider codes in a live call or PBX answer, in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from telephony.countries import country_name
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
