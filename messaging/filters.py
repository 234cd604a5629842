from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.filtersets import DeclaredFormFilterSet
from core.forms import choices_in_one_query, field_of

from .models import Contact, SmsBatch, SmsRecipient
from .numbers import msisdn_key

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads, in any language


def _digits(value: str) -> str:
    return msisdn_key("".join(c for c in value if c.isdigit() or c == "+"))


class BatchFilter(DeclaredFormFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=SmsBatch.State.choices, empty_label=_("Any state"))
    sender = django_filters.CharFilter(label=_("Sender id"), lookup_expr="iexact")
    creator = django_filters.CharFilter(label=_("Created by"), field_name="created_by_email", lookup_expr="icontains")
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=_("Until"), field_name="created_at", lookup_expr="date__lte", widget=DATE)
    number = django_filters.CharFilter(label=_("Number"), method="filter_number")

    class Meta:
        model = SmsBatch
        fields: list[str] = []

    def filter_number(self, queryset: QuerySet[SmsBatch], name: str, value: str) -> QuerySet[SmsBatch]:
        digits = _digits(value)
        if not digits:
            return queryset
        return queryset.filter(pk__in=SmsRecipient.objects.filter(phone__endswith=digits).values("batch_id"))


class RecipientFilter(DeclaredFormFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=SmsRecipient.State.choices, empty_label=_("Any state")
    )
    number = django_filters.CharFilter(label=_("Number"), method="filter_number")

    class Meta:
        model = SmsRecipient
        fields: list[str] = []

    def filter_number(self, queryset: QuerySet[SmsRecipient], name: str, value: str) -> QuerySet[SmsRecipient]:
        digits = _digits(value)
        return queryset.filter(phone__endswith=digits) if digits else queryset


class ContactFilter(DeclaredFormFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    group = django_filters.ModelChoiceFilter(
        label=_("Group"), field_name="groups", queryset=None, empty_label=_("Any group")
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.filters, "group", django_filters.ModelChoiceFilter).queryset = team.contact_groups.all()
        choices_in_one_query(field_of(self.form.fields, "group", forms.ModelChoiceField), team.contact_groups.all())

    def search(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        digits = _digits(value)
        condition = Q(name__icontains=value)
        if digits:
            condition |= Q(phone__endswith=digits) | Q(phone__contains=digits)
        return queryset.filter(condition)
