"""Texts written in the background and read later, kept as a key and parameters, rendered for the reader.

A stored text is ``{"key": "…", "params": {…}}``; a parameter may itself be a stored text (rendered
the same way) or a plain value kept verbatim (a provider's own words). A plain string is a text
stored before keys existed: it is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from django.utils.functional import Promise
from django.utils.translation import gettext

StoredText = dict[str, Any]
Texts = Mapping[str, Promise]


def stored(key: str, **params: Any) -> StoredText:
    return {"key": key, "params": params}


def is_stored(value: object) -> TypeGuard[StoredText]:
    return isinstance(value, dict) and isinstance(value.get("key"), str)


def render(value: StoredText | str | None, texts: Texts) -> str:
    """``value`` in the active language; an unknown key shows as itself (never an error)."""
    if not value:
        return ""
    if not is_stored(value):
        return str(value)
    template = texts.get(value["key"])
    if template is None:
        return value["key"]
    params = value.get("params") or {}
    if not params:
        return str(template)
    values = {name: render(v, texts) if is_stored(v) else v for name, v in params.items()}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)


def render_kept(value: StoredText | None, old_text: str, texts: Texts) -> str:
    """A row's stored text; a row from before keys has text: one of our sentences (workers wrote them in
    English) reads in the reader's language, anything else as it is."""
    if value:
        return render(value, texts)
    return gettext(old_text) if old_text else ""
