from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership

from .scopes import Scope
from .tokens import EXPIRY_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses it, e.g. “CRM” or “backup script”."))
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=Scope.choices,
        initial=Scope.READ,
        help_text=_(
            "Read: only reads. Send: reads, sends SMS and faxes, manages contacts, disconnects calls. "
            "Admin: everything your role allows. A token never does more than your role allows."
        ),
    )
    days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=[(d, _("%(days)d days") % {"days": d}) for d in EXPIRY_DAYS],
        initial=EXPIRY_DAYS[1],
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        if self.membership.api_tokens.filter(name=name).exists():
            raise forms.ValidationError(_("You already have a token with this name."))
        return name
