"""Forms of single sign-on: the owner's connection settings and the log-in page's "sign-in name"."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import UNCHANGED
from .models import Team
from .sso_models import TeamSSO
from .sso_oidc import issuer_problem

RESERVED_SLUGS = frozenset({"callback"})  # the paths under /sso/ that are not a team's
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class TeamSSOForm(forms.Form):
    display_name = forms.CharField(
        label=_("Provider name"), max_length=80, help_text=_('Shown on the button, e.g. "Contoso Microsoft Entra ID".')
    )
    slug = forms.SlugField(
        label=_("Sign-in name"),
        max_length=50,
        help_text=_("Lower-case letters, digits and hyphens. Members sign in at /sso/<name>/."),
    )
    issuer = forms.URLField(
        label=_("Issuer URL"),
        max_length=300,
        assume_scheme="https",
        help_text=_("e.g. https://login.microsoftonline.com/<tenant id>/v2.0 or https://accounts.google.com"),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=200)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    allowed_domains = forms.CharField(
        label=_("Domains whose people may join by signing in"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line, e.g. contoso.com. A verified address in one of them becomes a viewer of this team at "
            "its first sign-in. Leave empty: only people who are already members can sign in."
        ),
    )
    password_login_disabled = forms.BooleanField(
        label=_("Members must sign in with this provider (no password login)"), required=False
    )
    provider_mfa_counts = forms.BooleanField(
        label=_("The provider's multi-factor login counts as this team's two-factor login"), required=False
    )
    is_active = forms.BooleanField(label=_("Single sign-on is on"), required=False, initial=True)

    def __init__(self, *args: Any, team: Team, connection: TeamSSO | None, **kwargs: Any) -> None:
        if connection is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "display_name": connection.display_name,
                "slug": connection.slug,
                "issuer": connection.issuer,
                "client_id": connection.client_id,
                "allowed_domains": "\n".join(connection.allowed_domains),
                "password_login_disabled": connection.password_login_disabled,
                "provider_mfa_counts": connection.provider_mfa_counts,
                "is_active": connection.is_active,
            }
        super().__init__(*args, **kwargs)
        self.team = team
        self.connection = connection
        secret = self.fields["client_secret"]
        if connection is None or connection.secret_unreadable:
            secret.required = True
        else:
            secret.widget.attrs["placeholder"] = str(UNCHANGED)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This name is reserved; choose another."))
        if TeamSSO.objects.filter(slug=slug).exclude(team=self.team).exists():
            raise forms.ValidationError(_("Another team uses this name; choose another."))
        return slug

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].rstrip("/")
        problem = issuer_problem(issuer)
        if problem == "query":
            raise forms.ValidationError(_("The issuer URL cannot hold a query (?) or fragment (#)."))
        if problem is not None:
            raise forms.ValidationError(
                _("Use an https:// address. Other addresses must be allowed by the operator (PROVIDER_URL_ALLOWLIST).")
            )
        return issuer

    def clean_allowed_domains(self) -> list[str]:
        raw = self.cleaned_data.get("allowed_domains") or ""
        domains = [d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", raw) if d.strip()]
        wrong = [d for d in domains if not _DOMAIN.match(d)]
        if wrong:
            raise forms.ValidationError(
                _("Not a domain name: %(domains)s") % {"domains": ", ".join(wrong)}, code="domain"
            )
        return domains

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("password_login_disabled")
            and not (self.connection is not None and self.connection.password_login_disabled)
            and (self.connection is None or self.connection.last_sign_in_at is None)
        ):
            # Turned off before anyone could sign in with the provider, the whole team could be locked out.
            self.add_error(
                "password_login_disabled",
                _("Sign in once with single sign-on before turning password login off, so you know it works."),
            )
        issuer_changed = self.connection is not None and data.get("issuer", self.connection.issuer) != (
            self.connection.issuer
        )
        if issuer_changed and not data.get("client_secret"):
            # The secret must not follow a changed address to a provider it was never meant for.
            self.add_error("client_secret", _("Enter the client secret again: the issuer URL has changed."))
        if data.get("password_login_disabled") and not data.get("is_active"):
            self.add_error("is_active", _("Password login can only be turned off while single sign-on is on."))
        return data


class SignInNameForm(forms.Form):
    name = forms.SlugField(
        label=_("Your team's sign-in name"),
        max_length=50,
        help_text=_("Your team's owner can tell you; it is the last part of the address /sso/<name>/."),
    )


class StartForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Optional: the provider then asks only for your password."),
    )
