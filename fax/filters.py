"""Filters of the fax list: direction, status, account, dates and number."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount, Team
from core.filtersets import DeclaredFormFilterSet
from core.forms import choices_in_one_query, field_of

from .models import Direction, Fax, Status

OLD_CANCELLED = "canceled"  # the fax status's spelling before every app wrote "cancelled" (migration 0009)


class FaxFilter(DeclaredFormFilterSet):
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices, empty_label=_("Any"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any"))
    account = django_filters.ModelChoiceFilter(
        label=_("Provider account"), queryset=ProviderAccount.objects.none(), empty_label=_("Any")
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    number = django_filters.CharFilter(label=_("Number"), method="filter_number")

    class Meta:
        model = Fax
        fields: list[str] = []

    def __init__(self, data: QueryDict | None = None, *args: Any, team: Team, **kwargs: Any) -> None:
        if data is not None and data.get("status") == OLD_CANCELLED:  # a link bookmarked before the rename
            data = data.copy()
            data["status"] = Status.CANCELLED
        super().__init__(data, *args, **kwargs)
        field_of(self.filters, "account", django_filters.ModelChoiceFilter).queryset = team.provider_accounts.all()
        choices_in_one_query(
            field_of(self.form.fields, "account", forms.ModelChoiceField), team.provider_accounts.all()
        )
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"

    def filter_number(self, queryset: QuerySet[Fax], name: str, value: str) -> QuerySet[Fax]:
        digits = "".join(ch for ch in value if ch.isdigit())
        if not digits:
            return queryset
        return queryset.filter(Q(remote_number__contains=digits) | Q(our_number__contains=digits))
