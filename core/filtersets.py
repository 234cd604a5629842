"""A filter set whose form class is made once per class, not on every request."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import django_filters
from django import forms


class DeclaredFormFilterSet(django_filters.FilterSet):
    """django-filter makes its form class on every request: a field built afresh from each filter, then a new
    class around them (which the form deep-copies again): a quarter of a list page's filter set. Here the class
    is made once, from the filters the class declares, and each request's form still gets its own copy of the
    fields. A filter set that changes a field per request (a team's accounts in a select) changes it on
    ``self.form.fields``; a change made to ``self.filters`` before the form exists would not reach it.
    """

    _declared_forms: ClassVar[dict[type[Any], type[forms.Form]]] = {}
    _meta: Any  # django-filter's options (model, form), not in its stubs

    def get_form_class(self) -> type[forms.Form]:
        made = DeclaredFormFilterSet._declared_forms.get(type(self))
        if made is None:
            filters = copy.deepcopy(self.base_filters)  # the declared ones: no request, no team
            for filter_ in filters.values():
                filter_.model = self._meta.model  # type: ignore[attr-defined]  # as django-filter sets it per request
            fields = {name: filter_.field for name, filter_ in filters.items()}
            made = type(f"{type(self).__name__}Form", (self._meta.form,), fields)
            DeclaredFormFilterSet._declared_forms[type(self)] = made
        return made
