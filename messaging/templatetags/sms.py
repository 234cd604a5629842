"""Template helpers for SMS pages."""

from __future__ import annotations

from django import template

from core.phones import display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+905321234567 → +90 532 123 45 67."""
    return display(value) if value else ""


@register.filter
def percent(part: int, whole: int) -> int:
    return int(100 * part / whole) if whole else 0
