from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class SubscriptionForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email me a summary of calls, SMS and fax"), choices=Frequency.choices, widget=forms.RadioSelect
    )
