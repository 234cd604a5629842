"""A team's single sign-on connection (OpenID Connect); loaded by ``accounts.models``."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedJSONField, is_unreadable


class TeamSSO(models.Model):
    """How a team's members sign in with their company's OpenID Connect provider.

    The client secret is encrypted and write-only, like provider credentials
    (``secrets`` holds ``{"client_secret": …}``).
    """

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="sso")
    slug = models.SlugField(
        _("sign-in name"),
        max_length=50,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9-]+$", _("Use lower-case letters, digits and hyphens."))],
        help_text=_("Members sign in at /sso/<name>/, or type this name on the log-in page."),
    )
    display_name = models.CharField(
        _("provider name"), max_length=80, help_text=_('Shown on the button, e.g. "Contoso Microsoft Entra ID".')
    )
    issuer = models.URLField(
        _("issuer URL"),
        max_length=300,
        help_text=_("Its /.well-known/openid-configuration describes the provider."),
    )
    client_id = models.CharField(_("client ID"), max_length=200)
    secrets = EncryptedJSONField(_("client secret"))
    allowed_domains = models.JSONField(_("domains for new accounts"), default=list, blank=True)
    password_login_disabled = models.BooleanField(_("disable password login"), default=False)
    provider_mfa_counts = models.BooleanField(_("provider's multi-factor login counts as two-factor"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_sign_in_at = models.DateTimeField(_("last single sign-on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("single sign-on connection")
        verbose_name_plural = _("single sign-on connections")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.slug})"

    @property
    def client_secret(self) -> str:
        return str(self.secrets.get("client_secret", "")) if not is_unreadable(self.secrets) else ""

    @property
    def secret_unreadable(self) -> bool:
        return is_unreadable(self.secrets)

    def allows_domain(self, email: str) -> bool:
        domain = email.rpartition("@")[2].lower()
        return bool(domain) and domain in {d.lower() for d in self.allowed_domains}
