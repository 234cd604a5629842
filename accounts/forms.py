from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from core.forms import field_of

from .fields import is_unreadable
from .models import ProviderAccount, Team, User, time_zone_choices
from .provider_options import base_url_problem, clean_options, routing_changed, routing_credentials
from .provider_registry import kind_choices, spec_for
from .provider_spec import OptionField
from .roles import Role, roles_below_or_equal
from .sso import password_login_blocked_by


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("The email address or password is not right. Both are case-sensitive for the password."),
        "inactive": _("This account is inactive."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        # Asked only once the password was right: a wrong one says nothing about single sign-on.
        connection = password_login_blocked_by(user)
        if connection is not None:
            self.sso_connection = connection
            raise forms.ValidationError(
                _('%(team)s signs in with %(provider)s only: use "Sign in with %(provider)s" below.')
                % {"team": connection.team.name, "provider": connection.display_name},
                code="sso_only",
            )


class TeamForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Team
        fields = ["name", "time_zone", "notification_email"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args: Any, grantor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = [(r.value, r.label) for r in roles_below_or_equal(grantor_role)]
        field_of(self.fields, "role", forms.ChoiceField).choices = roles


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SignUpForm(forms.Form):
    """Creates the account of a person who accepts an invitation."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(
                    data["password1"], User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class TeamSwitchForm(forms.Form):
    team = forms.IntegerField()


UNCHANGED = _("unchanged — leave empty to keep")
REENTER = _("Enter this secret again: the base URL or a setting that decides where requests go has changed.")


def _option_field(option: OptionField) -> forms.Field:
    if option.kind == "choice":  # empty: the default, like int below
        return forms.ChoiceField(
            label=option.label, choices=option.choices, help_text=option.help_text, required=option.default == ""
        )
    if option.kind == "int":
        return forms.IntegerField(  # empty: the default (forms posted before the option existed)
            label=option.label,
            help_text=option.help_text,
            min_value=option.min_value,
            max_value=option.max_value,
            required=option.default == "",
        )
    if option.kind == "list":
        return forms.CharField(
            label=option.label, help_text=option.help_text, required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
    return forms.CharField(
        label=option.label, help_text=option.help_text, required=False, validators=list(option.validators)
    )


class ProviderAccountForm(forms.Form):
    """The fields one provider kind needs. Secrets are write-only: never rendered back.

    On edit, a secret left empty keeps the stored value; the placeholder says so.
    """

    label = forms.CharField(label=_("Label"), max_length=100)
    base_url = forms.CharField(
        label=_("Base URL"),
        required=False,
        max_length=ProviderAccount._meta.get_field("base_url").max_length,
        help_text=_(
            "Leave empty to use the provider's own address. Any other address (the sandbox, a test host) "
            "must be allowed by the operator (PROVIDER_URL_ALLOWLIST). Changing it asks for every secret again."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        kind: str,
        team: Team,
        account: ProviderAccount | None = None,
        **kwargs: Any,
    ) -> None:
        self.spec = spec_for(kind)
        self.kind = self.spec.kind
        self.team = team
        self.account = account
        initial = kwargs.pop("initial", {}) or {}
        if account is not None:
            initial.update(label=account.label, base_url=account.base_url, is_active=account.is_active)
            stored = {} if is_unreadable(account.credentials) else (account.credentials or {})
            for cred in self.spec.credentials:
                if not cred.secret and cred.name in stored:
                    initial[f"cred_{cred.name}"] = stored[cred.name]
            for option in self.spec.options:
                value = (account.options or {}).get(option.name, option.default)
                initial[f"opt_{option.name}"] = "\n".join(value) if isinstance(value, list) else value
        else:
            for option in self.spec.options:
                initial.setdefault(f"opt_{option.name}", option.default)
        super().__init__(data, initial=initial, **kwargs)
        stored_names = set((account.credentials or {}).keys()) if account else set()
        self.credentials_unreadable = account is not None and is_unreadable(account.credentials)
        for cred in self.spec.credentials:
            required = cred.required and (account is None or cred.name not in stored_names)
            widget: forms.Widget
            if cred.secret:
                widget = forms.PasswordInput(
                    render_value=False,
                    attrs={"autocomplete": "new-password", "placeholder": "" if required else str(UNCHANGED)},
                )
            else:
                widget = forms.TextInput(attrs={"autocomplete": "off"})
            self.fields[f"cred_{cred.name}"] = forms.CharField(
                label=cred.label,
                required=required,
                widget=widget,
                help_text=cred.help_text,
                strip=True,
                validators=list(cred.validators),
            )
        for option in self.spec.options:
            self.fields[f"opt_{option.name}"] = _option_field(option)

    def credential_fields(self) -> list[forms.BoundField]:
        return [self[f"cred_{c.name}"] for c in self.spec.credentials]

    def option_fields(self) -> list[forms.BoundField]:
        return [self[f"opt_{o.name}"] for o in self.spec.options]

    @sensitive_variables("data")
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.spec.clean_credentials is not None:
            given = {c.name: data.get(f"cred_{c.name}") or "" for c in self.spec.credentials}
            for name, problem in self.spec.clean_credentials(given, self.account is None).items():
                self.add_error(f"cred_{name}", problem)
        _cleaned, option_errors = clean_options(self.kind, self.options())
        for name, problem in option_errors.items():
            self.add_error(f"opt_{name}", problem)
        if self.account is not None and not self.errors and self.routes_elsewhere():
            stored = set((self.account.credentials or {}).keys())
            for cred in self.spec.credentials:
                if cred.secret and cred.name in stored and not data.get(f"cred_{cred.name}"):
                    self.add_error(f"cred_{cred.name}", REENTER)
        return data

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"].strip()
        problem = base_url_problem(self.kind, url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def routes_elsewhere(self) -> bool:
        """True when the edit sends requests somewhere else (the stored secrets must not follow unasked)."""
        account = self.account
        if account is None:
            return False
        data = self.cleaned_data
        if (data.get("base_url") or "") != (account.base_url or ""):
            return True
        stored = account.credentials or {}
        for name in routing_credentials(self.kind) & set(stored):
            if data.get(f"cred_{name}") and data[f"cred_{name}"] != stored.get(name):
                return True
        return routing_changed(self.kind, account.options or {}, self.options())

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        others = self.team.provider_accounts.filter(label__iexact=label)
        if self.account is not None:
            others = others.exclude(pk=self.account.pk)
        if others.exists():
            raise forms.ValidationError(_("Another provider account of this team already has this label."))
        return label

    @sensitive_variables()
    def credentials(self) -> dict[str, str]:
        return {c.name: self.cleaned_data.get(f"cred_{c.name}", "") for c in self.spec.credentials}

    def options(self) -> dict[str, Any]:
        """The options as typed (lists split); ``clean_options`` normalises them (fax numbers as digits)."""
        result: dict[str, Any] = {}
        for option in self.spec.options:
            if f"opt_{option.name}" not in self.cleaned_data:
                continue
            value = self.cleaned_data.get(f"opt_{option.name}")
            if option.kind == "list":
                value = [line.strip() for line in (value or "").replace(",", "\n").splitlines() if line.strip()]
            elif option.kind in ("int", "choice") and value in (None, ""):
                value = option.default
            result[option.name] = value
        return clean_options(self.kind, result)[0]


class ProviderKindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Provider"), choices=kind_choices, widget=forms.RadioSelect)
