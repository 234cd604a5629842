"""The portal's form renderer writes, without the template engine, exactly the HTML Django's templates write."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import DjangoTemplates as DjangoTemplatesBackend
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.form_renderer import DJANGO_WIDGET_TEMPLATES, LeanWidgetRenderer

DJANGO = DjangoTemplates()
LEAN = LeanWidgetRenderer()
ONE = [("a", "A")]
ODD = "<b>\"Çağrı\" & 'İş'</b>"

WIDGETS: list[tuple[str, forms.Widget, object]] = [
    ("text", forms.TextInput(), ODD),
    ("text, no value", forms.TextInput(attrs={"placeholder": ODD}), None),
    ("text, safe value", forms.TextInput(), mark_safe("<i>kept</i>")),
    ("text, numbers in attrs", forms.TextInput(attrs={"maxlength": 11, "size": 0, "data-x": None}), 42),
    ("text, boolean attrs", forms.TextInput(attrs={"required": True, "disabled": False, "autofocus": True}), "x"),
    ("tel", forms.TextInput(attrs={"inputmode": "tel"}), "0532 1"),
    ("number", forms.NumberInput(attrs={"min": 0, "step": 1}), 12.5),
    ("date", forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 3, 29)),
    ("date, typed", forms.DateInput(attrs={"type": "date"}), "29.03.2026"),
    ("datetime", forms.DateTimeInput(), datetime.datetime(2026, 3, 29, 0, 30)),
    ("time", forms.TimeInput(), datetime.time(7, 4)),
    ("email", forms.EmailInput(), "ayşe@example.com"),
    ("url", forms.URLInput(), "https://example.com/?a=1&b=2"),
    ("password", forms.PasswordInput(render_value=True), "s3cret&"),
    ("hidden", forms.HiddenInput(), "sort-by"),
    ("search", forms.SearchInput(), "ara"),
    ("checkbox, checked", forms.CheckboxInput(), True),
    ("checkbox, unchecked", forms.CheckboxInput(), False),
    ("checkbox, value", forms.CheckboxInput(), "yes"),
    ("select", forms.Select(choices=[("", "---------"), ("in", _("Incoming")), ("out", _("Outgoing"))]), "out"),
    ("select, nothing chosen", forms.Select(choices=[("a", ODD), ("b", mark_safe("<em>b</em>"))]), None),
    ("select, numbers", forms.Select(choices=[(1, 1000), (2, 2.5), (3, datetime.date(2026, 1, 5))]), 2),
    ("select, groups", forms.Select(choices=[("Türkiye", [("ist", "İstanbul"), ("izm", "İzmir")]), ("x", "X")]), "izm"),
    ("select, empty", forms.Select(choices=[]), None),
    ("select multiple", forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
    ("null boolean", forms.NullBooleanSelect(), True),
    ("textarea", forms.Textarea(), ODD),
    ("textarea, empty", forms.Textarea(attrs={"rows": 3}), ""),
]


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize(("case", "widget", "value"), WIDGETS, ids=[case for case, _, _ in WIDGETS])
def test_the_lean_renderer_writes_what_djangos_templates_write(
    case: str, widget: forms.Widget, value: object, language: str
) -> None:
    attrs = {"id": "id_field", "class": "form-select is-invalid", "aria-describedby": "id_field_errors"}
    with translation.override(language):
        lean = widget.render("field", value, attrs=attrs, renderer=LEAN)
        assert lean == widget.render("field", value, attrs=attrs, renderer=DJANGO)
    assert "&lt;b&gt;" in lean or ODD not in lean  # what a person typed is escaped, never written as markup


class _Sort(forms.Select):
    option_template_name = "django/forms/widgets/radio_option.html"  # not the one the lean path writes


@pytest.mark.parametrize(
    "widget",
    [
        forms.RadioSelect(choices=ONE),
        forms.ClearableFileInput(),
        forms.SplitDateTimeWidget(),
        _Sort(choices=[("a", "A")]),
    ],
    ids=["radio", "file", "multiwidget", "other option template"],
)
def test_widgets_it_does_not_write_are_left_to_djangos_templates(widget: forms.Widget) -> None:
    assert widget.render("field", None, renderer=LEAN) == widget.render("field", None, renderer=DJANGO)


def test_a_template_an_app_overrides_is_rendered_not_written(tmp_path) -> None:
    override = tmp_path / "django" / "forms" / "widgets"
    override.mkdir(parents=True)
    (override / "select_option.html").write_text('<option value="{{ widget.value }}">overridden</option>')

    class Renderer(LeanWidgetRenderer):
        @cached_property
        def engine(self) -> DjangoTemplatesBackend:  # an app's templates before Django's, as APP_DIRS finds them
            options = {"APP_DIRS": False, "DIRS": [tmp_path, DJANGO_WIDGET_TEMPLATES], "NAME": "t", "OPTIONS": {}}
            return DjangoTemplatesBackend(options)

    renderer = Renderer()

    assert "overridden" in forms.Select(choices=[("a", "A")]).render("field", "a", renderer=renderer)
    assert forms.TextInput().render("field", "x", renderer=renderer) == '<input type="text" name="field" value="x">'


@pytest.fixture
def lean_default() -> Iterator[None]:
    get_default_renderer.cache_clear()
    yield
    get_default_renderer.cache_clear()


def test_the_portal_renders_forms_with_the_lean_renderer(lean_default: None) -> None:
    assert isinstance(get_default_renderer(), LeanWidgetRenderer)
    assert isinstance(forms.Form().renderer, LeanWidgetRenderer)


def test_form_and_field_templates_are_still_djangos(lean_default: None) -> None:
    class Form(forms.Form):
        name = forms.CharField(label=_("Name"), max_length=11, help_text=ODD)
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])

    data = {"name": "x" * 12, "kind": "c"}
    lean, django = str(Form(data=data, renderer=LEAN)), str(Form(data=data, renderer=DJANGO))

    assert lean == django
    assert re.search(r'<select name="kind" aria-invalid="true" aria-describedby="id_kind_error" id="id_kind">', lean)
    assert "Select a valid choice. c is not one of the available choices." in lean
