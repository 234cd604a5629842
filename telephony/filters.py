"""The CDR browser's filters. Bad values are form errors; dates are the team's calendar days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount
from accounts.provider_specs.pasifik import PASIFIK
from core.filtersets import DeclaredFormFilterSet
from core.forms import choices_in_one_query, field_of
from core.phones import digits_only

from .models import CallRecord, Direction, Disposition
from .numbers import normalize_prefix

MAX_RANGE_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
DEFAULT_PRESET = "30d"
PRESETS = (
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("month", _("This month")),
    ("custom", _("Custom dates")),
    ("all", _("Any time")),
)


def preset_range(preset: str, today: date) -> tuple[date | None, date | None]:
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if preset == "7d":
        return today - timedelta(days=6), today
    if preset == "30d":
        return today - timedelta(days=29), today
    if preset == "month":
        return today.replace(day=1), today
    return None, None


class CallFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        preset = data.get("preset") or DEFAULT_PRESET
        start, end = data.get("date_from"), data.get("date_to")
        if preset not in ("custom", "all") and not (start or end):
            start, end = preset_range(preset, timezone.localdate())
        for name, value in (("date_from", start), ("date_to", end)):
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(
                    name, _("Choose a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST}
                )
                start = end = None
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        elif preset == "custom" and not (start and end) and not self.has_error("date_from"):
            self.add_error("date_to", _("Give both dates of a custom range."))
        elif start and end and (end - start).days >= MAX_RANGE_DAYS:
            self.add_error("date_to", _("Choose at most %(days)s days.") % {"days": MAX_RANGE_DAYS})
        self.date_range: tuple[date | None, date | None] = (start, end)
        return data


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class CallFilter(DeclaredFormFilterSet):
    preset = django_filters.ChoiceFilter(
        label=_("Period"), choices=PRESETS, method="filter_nothing", empty_label=None, initial=DEFAULT_PRESET
    )
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_nothing", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("Until"), method="filter_nothing", widget=forms.DateInput(attrs={"type": "date"})
    )
    number = django_filters.CharFilter(
        label=_("Number"), method="filter_number", widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    match = django_filters.ChoiceFilter(
        label=_("Match"),
        choices=(("prefix", _("starts with")), ("contains", _("contains"))),
        method="filter_nothing",
        empty_label=None,
    )
    disposition = django_filters.ChoiceFilter(
        label=_("Result"), choices=Disposition.choices, empty_label=_("Any result")
    )
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Direction.choices, empty_label=_("Any direction")
    )
    has_recording = django_filters.BooleanFilter(
        label=_("Recording"),
        widget=forms.Select(choices=(("", _("Any")), ("true", _("With recording")), ("false", _("Without")))),
    )
    min_duration = django_filters.NumberFilter(
        label=_("Min. duration (s)"),
        field_name="duration",
        lookup_expr="gte",
        min_value=0,
        max_value=86400,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
    )
    account = django_filters.ModelChoiceFilter(
        label=_("Account"), queryset=ProviderAccount.objects.none(), empty_label=_("Any account")
    )

    class Meta:
        model = CallRecord
        fields: list[str] = []
        form = CallFilterForm

    def __init__(self, *args: Any, team: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = team.provider_accounts.filter(kind=PASIFIK.kind).order_by("label")
        field_of(self.filters, "account", django_filters.ModelChoiceFilter).queryset = accounts
        choices_in_one_query(field_of(self.form.fields, "account", forms.ModelChoiceField), accounts)
        self.form.fields["min_duration"].widget.attrs["min"] = 0

    def filter_nothing(self, queryset: QuerySet[CallRecord], name: str, value: Any) -> QuerySet[CallRecord]:
        return queryset  # applied together in filter_queryset

    def filter_number(self, queryset: QuerySet[CallRecord], name: str, value: str) -> QuerySet[CallRecord]:
        value = value.strip()
        if not value:
            return queryset
        if (self.form.cleaned_data.get("match") or "prefix") == "contains":
            needle = digits_only(value) or value
            return queryset.filter(Q(caller__contains=needle) | Q(callee__contains=needle))
        prefix = normalize_prefix(value) or value
        return queryset.filter(Q(caller__startswith=prefix) | Q(callee__startswith=prefix))

    def filter_queryset(self, queryset: QuerySet[CallRecord]) -> QuerySet[CallRecord]:
        queryset = super().filter_queryset(queryset)
        start, end = getattr(self.form, "date_range", (None, None))
        if start:
            queryset = queryset.filter(start__gte=_day_start(start))
        if end:
            queryset = queryset.filter(start__lt=_day_start(end + timedelta(days=1)))
        return queryset

    @property
    def date_range(self) -> tuple[date | None, date | None]:
        return getattr(self.form, "date_range", (None, None)) if self.is_valid() else (None, None)
