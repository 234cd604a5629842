"""Typed access to a form's (or filter set's) fields whose choices are set per request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


def field_of(fields: Mapping[str, object], name: str, kind: type[T]) -> T:
    """``fields[name]``, checked to be a ``kind``.

    For fields whose choices depend on the team: ``field_of(self.fields, "account", ModelChoiceField).queryset = …``.
    """
    field = fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field
