"""The fax address book's forms: a contact, a group, a contact file to import, the search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core import phones
from core.forms import choices_in_one_query, field_of

from .models import FaxContact, FaxContactGroup


def fax_number_field(value: str) -> str:
    """A fax number typed in any usual form, as international digits; a clear error when it is not one."""
    try:
        return phones.parse_international_digits(value)
    except phones.PhoneNumberError:
        message = _("Not a valid fax number: %(numbers)s") % {"numbers": value}
        raise forms.ValidationError(message, code="invalid") from None


class FaxContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    company = forms.CharField(label=_("Company"), max_length=150, required=False)
    fax_number = forms.CharField(
        label=_("Fax number"), max_length=40, help_text=_("With the country code, or a Turkish number as dialled.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=FaxContactGroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, team: Team, contact: FaxContact | None = None, **kwargs: Any) -> None:
        if contact is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": contact.name,
                "company": contact.company,
                "fax_number": phones.display_digits(contact.fax_number),
                "notes": contact.notes,
                "groups": list(contact.groups.all()),
            }
        super().__init__(*args, **kwargs)
        self.team, self.contact = team, contact
        field_of(self.fields, "groups", forms.ModelMultipleChoiceField).queryset = team.fax_contact_groups.all()

    def clean_fax_number(self) -> str:
        return fax_number_field(self.cleaned_data["fax_number"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, number = data.get("name"), data.get("fax_number")
        if name and number:
            same = self.team.fax_contacts.filter(name=name, fax_number=number)
            if self.contact is not None:
                same = same.exclude(pk=self.contact.pk)
            if same.exists():
                self.add_error("name", _("The address book already has this name at this fax number."))
        return data


class FaxContactGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(self, *args: Any, team: Team, group: FaxContactGroup | None = None, **kwargs: Any) -> None:
        if group is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": group.name}
        super().__init__(*args, **kwargs)
        self.team, self.group = team, group

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        same = self.team.fax_contact_groups.filter(name=name)
        if self.group is not None:
            same = same.exclude(pk=self.group.pk)
        if same.exists():
            raise forms.ValidationError(_("The team already has a group of this name."), code="taken")
        return name


class FaxContactImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: name, company, fax number, notes, groups (groups separated by commas). The first row names "
            "them, in English or Turkish, as the export writes them."
        ),
    )
    group = forms.ModelChoiceField(
        label=_("Also add them to the group"),
        queryset=FaxContactGroup.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "group", forms.ModelChoiceField).queryset = team.fax_contact_groups.all()


class FaxContactSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=FaxContactGroup.objects.none(), required=False, empty_label=_("All groups")
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_in_one_query(field_of(self.fields, "group", forms.ModelChoiceField), team.fax_contact_groups.all())
