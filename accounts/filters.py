from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .audit_labels import action_label
from .models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=[], empty_label=_("Any action"))
    actor = django_filters.CharFilter(label=_("Person"), field_name="actor_email", lookup_expr="icontains")
    object = django_filters.CharFilter(label=_("Object"), field_name="object_repr", lookup_expr="icontains")
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, data: QueryDict | None = None, *, queryset: QuerySet[AuditEvent], **kwargs: Any) -> None:
        super().__init__(data, queryset=queryset, **kwargs)
        actions = queryset.order_by().values_list("action", flat=True).distinct()
        choices = [(a, action_label(a)) for a in actions]
        self.filters["action"].extra["choices"] = sorted(choices, key=lambda choice: choice[1].casefold())
