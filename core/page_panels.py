"""Panels a higher app adds to a lower app's page, without the lower app knowing it.

A page of ``fax`` or ``accounts`` names a place (``{% page_panels "fax-detail" fax %}``); an app above
them registers, in its ``AppConfig.ready``, a function that renders its part of that place for the
request and the page's object (an empty string when it has nothing to show there). The lower app
imports nothing of the higher one, as the layer contracts require.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest, Any], str]

_PANELS: dict[str, list[Panel]] = {}


def page_panel_register(place: str, panel: Panel) -> None:
    """Adds ``panel`` to ``place`` (once, however often ``ready`` runs)."""
    panels = _PANELS.setdefault(place, [])
    if panel not in panels:
        panels.append(panel)


def page_panels_render(place: str, request: HttpRequest, obj: Any) -> SafeString:
    """Every registered panel of ``place`` for this request and object, in registration order."""
    parts = [html for panel in _PANELS.get(place, []) if (html := panel(request, obj))]
    return format_html_join("", "{}", ((SafeString(part),) for part in parts))
