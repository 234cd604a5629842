from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from providers.errors import RequestRefused

from .models import Endpoint, EventType
from .urlsafety import endpoint_url_check

REFUSALS = {
    "scheme": _("Use an https:// address."),
    "userinfo": _("The address may not hold a user name or password."),
    "syntax": _("The address holds spaces or characters that are not allowed."),
    "address": _(
        "This address is not allowed: webhooks go to public internet addresses only "
        "(not private, loopback, link-local or reserved ones)."
    ),
    "unknown_host": _("This host name cannot be found."),
}


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address on the public internet. Redirects are not followed."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/telcoportal/webhook"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The endpoint hears of these events only."),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "is_active"]

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"]).strip()
        try:
            endpoint_url_check(url)
        except RequestRefused as exc:
            raise forms.ValidationError(REFUSALS.get(exc.reason, REFUSALS["address"]), code=exc.reason) from None
        return url

    def clean_events(self) -> list[str]:
        chosen = set(self.cleaned_data["events"])
        return [value for value in EventType.values if value in chosen]  # in the documented order
