"""The routing rule form and the Telphin fax-to-email form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Team
from core.phones import PhoneNumberError

from .models import RoutingRule
from .routing import number_key

MAX_ADDRESSES = 20
_SEPARATORS = re.compile(r"[\s,;]+")


def addresses_clean(text: str) -> list[str]:
    """Addresses typed one per line (or separated by commas), each checked, each once."""
    addresses: list[str] = []
    for address in (a for a in _SEPARATORS.split(text or "") if a):
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(_("“%(value)s” is not an email address."), params={"value": address}) from None
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if len(addresses) > MAX_ADDRESSES:
        raise ValidationError(_("At most %(count)s addresses."), params={"count": MAX_ADDRESSES})
    return addresses


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user = obj.user
        return f"{user.full_name} <{user.email}>" if getattr(user, "full_name", "") else user.email


class RoutingRuleForm(forms.Form):
    our_number = forms.CharField(
        label=_("Our fax number"),
        max_length=32,
        required=False,
        help_text=_("The number faxes arrive on. Leave empty for the rule that takes every other received fax."),
    )
    members = MemberChoiceField(
        label=_("Members"), queryset=Membership.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    emails = forms.CharField(
        label=_("Other email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    attach_document = forms.BooleanField(
        label=_("Attach the document (PDF)"),
        required=False,
        initial=True,
        help_text=_("Otherwise the mail says a fax arrived and links to it in the portal."),
    )
    language = forms.ChoiceField(
        label=_("Language for other addresses"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=_("Members get the mail in their own language."),
    )

    def __init__(self, *args: Any, team: Team, rule: RoutingRule | None = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "our_number": rule.our_number,
                "members": list(rule.members.all()),
                "emails": "\n".join(rule.emails),
                "attach_document": rule.attach_document,
                "language": rule.language,
            }
        super().__init__(*args, **kwargs)
        self.team, self.rule = team, rule
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        members.queryset = team.memberships.select_related("user").filter(user__is_active=True).order_by("user__email")

    def clean_our_number(self) -> str:
        typed = self.cleaned_data["our_number"].strip()
        if not typed:
            return ""
        try:
            return number_key(typed)
        except PhoneNumberError:
            raise ValidationError(_("“%(value)s” is not a fax number."), params={"value": typed}) from None

    def clean_emails(self) -> list[str]:
        return addresses_clean(self.cleaned_data["emails"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        number = cleaned.get("our_number")
        if number is not None:
            taken = RoutingRule.objects.filter(team=self.team, our_number=number)
            if self.rule is not None:
                taken = taken.exclude(pk=self.rule.pk)
            if taken.exists():
                message = (
                    _("There is already a rule for this number.")
                    if number
                    else _("There is already a rule for every other number.")
                )
                self.add_error("our_number", message)
        if not cleaned.get("members") and not cleaned.get("emails") and not self.errors:
            raise ValidationError(_("Choose at least one member or type an address."))
        return cleaned


class ProviderMailtoForm(forms.Form):
    addresses = forms.CharField(
        label=_("Fax-to-email addresses at the provider"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; empty turns the provider's own fax-to-email off."),
    )

    def clean_addresses(self) -> list[str]:
        return addresses_clean(self.cleaned_data["addresses"])
