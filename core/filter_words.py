"""A list's filters in words, for a page that repeats what was asked (a background export's confirmation)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.utils.formats import date_format

Words = list[tuple[str, str]]  # (the field's label, its value as a person reads it)


def form_words(form: forms.Form) -> Words:
    """Each filled field of a bound, valid filter form: a choice by its label, not its code; a date in the reader's
    format. An invalid form says nothing: the page that shows the words refuses such filters anyway."""
    if not form.is_bound or not form.is_valid():
        return []
    words: Words = []
    for name, field in form.fields.items():
        raw = form[name].data
        given = [str(value) for value in (raw if isinstance(raw, list) else [raw]) if value not in (None, "")]
        if given:
            words.append((str(field.label or name), ", ".join(_shown(field, form.cleaned_data.get(name), given))))
    return words


def _shown(field: forms.Field, cleaned: Any, given: list[str]) -> list[str]:
    labels = _choice_labels(getattr(field.widget, "choices", ()))  # a select's, the yes/no of a boolean's too
    if labels:
        return [labels.get(value, value) for value in given]
    if isinstance(cleaned, date):
        return [date_format(cleaned, "SHORT_DATE_FORMAT")]
    return given


def _choice_labels(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            labels.update(_choice_labels(label))
        else:
            labels[str(value)] = str(label)
    return labels
