from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core import phones

from .holds import REASON_MAX
from .models import RetentionKind

DAYS_MAX = 36_500  # a hundred years: anything longer is "forever"


class RetentionForm(forms.Form):
    """One field per kind: a number of days, or empty for "forever"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in RetentionKind:
            self.fields[kind.value] = forms.IntegerField(
                label=kind.label,
                required=False,
                min_value=1,
                max_value=DAYS_MAX,
                help_text=_("Days. Leave empty to keep forever."),
            )

    def days(self) -> dict[RetentionKind, int | None]:
        return {kind: self.cleaned_data.get(kind.value) for kind in RetentionKind}


class LegalHoldForm(forms.Form):
    action = forms.ChoiceField(choices=[("set", _("Set")), ("clear", _("Clear"))], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)

    def __init__(self, *args: Any, held: bool, **kwargs: Any) -> None:
        self.held = held
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "clear" and not self.held:
            raise forms.ValidationError(_("This item is not under legal hold."))
        return cleaned


class NumberForm(forms.Form):
    number = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        help_text=_("In any format: 0532 123 45 67, +90 532 123 45 67, 905321234567…"),
    )

    def clean_number(self) -> str:
        try:
            return phones.parse(self.cleaned_data["number"], bare_international=True)
        except phones.PhoneNumberError as exc:
            raise forms.ValidationError(str(exc)) from None


class ErasureForm(NumberForm):
    confirm = forms.CharField(label=_("Type the number again to confirm the erasure"), max_length=40)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        number, typed = cleaned.get("number"), cleaned.get("confirm", "")
        if number and typed:
            try:
                same = phones.parse(typed, bare_international=True) == number
            except phones.PhoneNumberError:
                same = False
            if not same:
                self.add_error("confirm", _("This is not the number above."))
        return cleaned
