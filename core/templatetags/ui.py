"""Small template helpers for Bootstrap form rendering and phone numbers."""

from __future__ import annotations

from functools import lru_cache

from django import forms, template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

register = template.Library()


def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.filter
def bootstrap(field: forms.BoundField) -> SafeString:
    """Renders a field's widget with Bootstrap's classes and its error state."""
    css = _css_class(field.field.widget)
    if field.errors and css:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css} if css else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL that takes no argument, reversed once per process (for each script prefix and
    URL configuration) instead of on every page: the navigation of every full page names seventeen."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _reversed(name: str, script_prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)  # under ``script_prefix``, this thread's prefix now


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def page_panels(context: template.Context, place: str, obj: object) -> SafeString:
    """The panels higher apps registered for ``place`` (core/page_panels.py), rendered for this request."""
    from core.page_panels import page_panels_render

    request = context.get("request")
    return page_panels_render(place, request, obj) if request is not None else SafeString("")
