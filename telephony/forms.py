from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount
from accounts.provider_specs.pasifik import PASIFIK
from core.forms import field_of


class DisconnectForm(forms.Form):
    account = forms.ModelChoiceField(queryset=ProviderAccount.objects.none(), label=_("Account"))
    call_id = forms.IntegerField(min_value=1, label=_("Call"))

    def __init__(self, *args: Any, team: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = team.provider_accounts.filter(kind=PASIFIK.kind, is_active=True)
        field_of(self.fields, "account", forms.ModelChoiceField).queryset = accounts
