from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes where allowed."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, recovery_allowed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = (
            _("The 6-digit code from your authenticator app, or one of your recovery codes.")
            if recovery_allowed
            else _("The 6-digit code your authenticator app shows now.")
        )


class TeamTwoFactorForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor login"),
        required=False,
        help_text=_("Members without two-factor login are asked to turn it on before they can use the team."),
    )
