"""Typed access to a form's (or filter set's) fields whose choices are set per request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.forms.models import ModelChoiceIterator

T = TypeVar("T")


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
        for obj in self.queryset.all():
            yield self.choice(obj)

    def __len__(self) -> int:
        return super().__len__() + (1 if getattr(self.field, "null_label", None) is not None else 0)


def choices_in_one_query(field: ModelChoiceField, queryset: QuerySet[Model]) -> None:
    """``field.queryset = queryset``, its options drawn from one plain query (``ChoicesInOneQuery``)."""
    field.iterator = ChoicesInOneQuery
    field.queryset = queryset
