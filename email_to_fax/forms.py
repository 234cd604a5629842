"""The team's email-to-fax mailbox settings. The IMAP password is write-only: left empty, the stored one stays."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount, Team
from core.forms import field_of
from fax.forms import fax_accounts

from .models import Mailbox, MailboxKind
from .receiver_addresses import receiver_domain


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the saved one."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "enabled",
            "kind",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_folder",
            "address_name",
            "account",
            "cover_template",
            "body_as_cover",
        ]
        help_texts = {
            "address_name": _("For the SMTP receiver: numbers are mailed to <number>@<address name>.<domain>."),
            "account": _("Faxes go through it unless the subject names another account in [brackets]."),
        }

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        ids = [a.pk for a in fax_accounts(team)]
        field_of(self.fields, "account", forms.ModelChoiceField).queryset = ProviderAccount.objects.filter(
            team=team, pk__in=ids
        ).order_by("label")
        if not receiver_domain():
            self.fields["address_name"].help_text = _(
                "The SMTP receiver has no domain yet (EMAIL_TO_FAX_DOMAIN): ask the operator."
            )
        field_of(self.fields, "cover_template", forms.ModelChoiceField).queryset = team.fax_cover_templates.order_by(
            "name"
        )
        if not getattr(settings, "EMAIL_TO_FAX_FOLDER_ROOT", ""):  # the demo's kind, offered only where it is set
            kind = field_of(self.fields, "kind", forms.TypedChoiceField)
            kind.choices = [(v, label) for v, label in MailboxKind.choices if v != MailboxKind.FOLDER]

    def clean_address_name(self) -> str | None:
        return self.cleaned_data.get("address_name") or None  # empty is "none" (unique allows many)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if data.get("enabled"):
            if not data.get("account"):
                self.add_error("account", _("Choose the provider account faxes go through."))
            if kind == MailboxKind.IMAP:
                for name in ("imap_host", "imap_user"):
                    if not data.get(name):
                        self.add_error(name, _("Needed for an IMAP mailbox."))
                if not data.get("password") and not (self.instance.pk and self.instance.has_password):
                    self.add_error("password", _("Needed for an IMAP mailbox."))
            elif not data.get("address_name"):
                self.add_error("address_name", _("Needed for this kind of mailbox."))
        return data

    def changed_names(self) -> list[str]:
        """What changed, by field name (the audit's detail; the password only as "password")."""
        names = [n for n in self.changed_data if n != "password"]
        return [*names, "password"] if self.cleaned_data.get("password") else names
