from django import forms
from django.utils.translation import gettext_lazy as _

from core import exports


class ExportStartForm(forms.Form):
    """The confirmation's one choice: the file's format (the list's link asked for one, the page may change it)."""

    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(name, name.upper()) for name in exports.FORMATS],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
