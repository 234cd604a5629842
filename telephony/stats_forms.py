"""The analytics page's period and filters: whole days of the team's calendar, at most CALL_STATS_MAX_DAYS."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount, Team
from accounts.provider_specs.pasifik import PASIFIK
from core.forms import field_of

from .analytics import Filters, Period
from .filters import EARLIEST, LATEST
from .models import Direction

DEFAULT_DAYS = 30


def default_period() -> Period:
    """The last 30 days, today included (today of the active zone: the team's)."""
    today = timezone.localdate()
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


class StatsForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account: forms.ModelChoiceField[ProviderAccount] = forms.ModelChoiceField(
        label=_("Account"), queryset=ProviderAccount.objects.none(), required=False, empty_label=_("Any account")
    )
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", _("Any direction")), *Direction.choices]
    )
    number = forms.CharField(
        label=_("Number or extension"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = team.provider_accounts.filter(kind=PASIFIK.kind).order_by("label")
        field_of(self.fields, "account", forms.ModelChoiceField).queryset = accounts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given_first: date | None = data.get("date_from")
        given_last: date | None = data.get("date_to")
        default = default_period()
        last = given_last or max(given_first or default.last, default.last)
        first = given_first or (last - timedelta(days=DEFAULT_DAYS - 1))
        limit = settings.CALL_STATS_MAX_DAYS
        if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):
            raise forms.ValidationError(
                _("Choose dates between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST}
            )
        if last < first:
            self.add_error("date_to", _("The end date is before the start date."))
        elif (last - first).days + 1 > limit:
            self.add_error(
                "date_to",
                _("A period of at most %(limit)s days can be analysed; this one has %(days)s. Choose a shorter one.")
                % {"limit": limit, "days": (last - first).days + 1},
            )
        self.period = Period(first, last)
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            account=data.get("account"), direction=data.get("direction") or "", number=data.get("number") or ""
        )
