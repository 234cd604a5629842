"""The portal's form renderer: Django's own widget HTML, written by Python instead of the template engine.

Django draws every widget through its template engine: a ``<select>`` is one template, plus an ``{% include %}``
of ``select_option.html`` and of ``attrs.html`` per option. On the list pages that was about a fifth of a
request (bench/page_profile.py; docs/performance.md, "Whole pages"). ``LeanWidgetRenderer`` keeps Django's
renderer for everything (form and field templates, any other widget) and writes the few templates the portal's
widgets use — the ``<input>`` family, ``<select>`` with its options, ``<textarea>`` — as the same text those
templates give: same attribute order, same escaping (``render_value_in_context`` with the context Django's
renderer makes), same whitespace. A project or app template that overrides one of them is used instead (checked
once per name). ``tests/test_form_renderer.py`` compares both renderers widget by widget,
``tests/test_filter_forms.py`` on every list page's filter form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString

_WIDGETS = "django/forms/widgets/"
DJANGO_WIDGET_TEMPLATES = Path(django.forms.__file__).parent / "templates"
_OPTION = _WIDGETS + "select_option.html"
# The context Django's renderer renders a widget with: autoescape on, the settings' time zone and localisation.
_CONTEXT = Context()

WidgetContext = Mapping[str, Any]


def _shown(value: object) -> str:
    """``{{ value }}``."""
    if type(value) is str:  # plain text (not a safe or lazy string): nothing to localise, always escaped
        return escape(value)
    return render_value_in_context(value, _CONTEXT)


def _as_string(value: object) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe string safe, any other text is escaped."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: Mapping[str, object]) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_as_string(value)}"')
    return "".join(out)


def _input(widget: WidgetContext) -> str:
    """``django/forms/widgets/input.html`` (text, number, date, checkbox… all include it)."""
    value = widget["value"]
    shown_value = "" if value is None else f' value="{_as_string(value)}"'
    head = f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
    return f"{head}{shown_value}{_attrs(widget['attrs'])}>"


def _select(widget: WidgetContext) -> str | None:
    """``django/forms/widgets/select.html`` with its ``select_option.html``; None for an option of another template."""
    out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            out.append(
                f'\n  <option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"  # select_option.html's own last line break
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: WidgetContext) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


_INPUTS = [
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "checkbox",
    "search",
    "tel",
    "input",
]
_LEAN: dict[str, Callable[[WidgetContext], str | None]] = {
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUTS},
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}textarea.html": _textarea,
}
# The templates each lean function stands for: all must be Django's own files for the lean path to be used.
_ATTRS = f"{_WIDGETS}attrs.html"
_STANDS_FOR: dict[str, tuple[str, ...]] = {name: (name, f"{_WIDGETS}input.html", _ATTRS) for name in _LEAN}
_STANDS_FOR[f"{_WIDGETS}select.html"] = (f"{_WIDGETS}select.html", _OPTION, _ATTRS)
_STANDS_FOR[f"{_WIDGETS}textarea.html"] = (f"{_WIDGETS}textarea.html", _ATTRS)


class LeanWidgetRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's ``DjangoTemplates`` renderer with the common widgets written in Python."""

    def __init__(self) -> None:
        self._lean: dict[str, Callable[[WidgetContext], str | None] | None] = {}

    def _lean_for(self, template_name: str) -> Callable[[WidgetContext], str | None] | None:
        if template_name not in self._lean:
            function = _LEAN.get(template_name)
            if function is not None and not all(self._is_djangos(name) for name in _STANDS_FOR[template_name]):
                function = None  # overridden by the project or an app: render the override
            self._lean[template_name] = function
        return self._lean[template_name]

    def _is_djangos(self, template_name: str) -> bool:
        origin = Path(self.get_template(template_name).origin.name)
        return origin.is_relative_to(DJANGO_WIDGET_TEMPLATES)

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        function = self._lean_for(template_name) if request is None else None
        widget = context.get("widget")  # the one name Django's own widget templates read
        if function is not None and isinstance(widget, Mapping):
            html = function(widget)
            if html is not None:
                return SafeString(html.strip())
        return super().render(template_name, context, request=request)
