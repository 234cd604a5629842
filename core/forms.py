"""Typed access to a form's (or filter set's) fields whose choices are set per request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.forms.models import ModelChoiceIterator

T = TypeVar("T")
M = TypeVar("M", bound=Model)


def field_of(fields: Mapping[str, object], name: str, kind: type[T]) -> T:
    """``fields[name]``, checked to be a ``kind``.

    For fields whose choices depend on the team: ``field_of(self.fields, "account", ModelChoiceField).queryset = …``.
    """
    field = fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


class ChoicesInOneQuery(ModelChoiceIterator):
    """A model select's options read by one plain query.

    Django reads them with ``QuerySet.iterator()``: on PostgreSQL a server-side cursor, three round trips
    (declare, fetch, close) for the handful of rows a team's select lists, paid by every list page's filter form.
    The options are the same (django-filter's "null" choice included).
    """

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field: Any = self.field  # Django's ModelChoiceField, or django-filter's with its "null" choice
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if getattr(field, "null_label", None) is not None:
            yield (field.null_value, field.null_label)
        rows = getattr(field, "choice_rows", None)  # read by the form already (choices_from_rows)
        for obj in self.queryset.all() if rows is None else rows:
            yield self.choice(obj)

    def __len__(self) -> int:
        rows = getattr(self.field, "choice_rows", None)
        count = super().__len__() if rows is None else len(rows) + (self.field.empty_label is not None)
        return count + (1 if getattr(self.field, "null_label", None) is not None else 0)


def choices_in_one_query(field: ModelChoiceField, queryset: QuerySet[Model]) -> None:
    """``field.queryset = queryset``, its options drawn from one plain query (``ChoicesInOneQuery``)."""
    field.iterator = ChoicesInOneQuery
    field.queryset = queryset


def choices_from_rows(field: ModelChoiceField, queryset: QuerySet[M], rows: Sequence[M]) -> None:
    """``choices_in_one_query`` for options the form has read already: ``rows`` are ``queryset``'s rows, drawn
    with no query (a page that renders the select twice, or reads the rows for its own use, pays nothing more);
    a submitted value is still checked against ``queryset``."""
    choices_in_one_query(field, queryset)
    field.choice_rows = rows  # type: ignore[attr-defined]
