from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.admin.decorators import display as admin_display
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit_labels
from .fields import EncryptedJSONField, is_unreadable
from .provider_registry import kind_choices, kind_label
from .roles import TEAM_ADJUSTABLE, Role, role_has


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person; logs in with their email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The language last chosen in the switcher: emails to this person are written in it.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    # Not a column: the device the session's two-factor step used, set on the request's user by django-otp
    # (its middleware) and by our code step; ``is_verified()`` reads it.
    otp_device: Any

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.DEFAULT_TEAM_TIME_ZONE, choices=time_zone_choices
    )
    notification_email = models.EmailField(
        _("notification email"), blank=True, help_text=_("Notifications are also emailed here. Leave empty for none.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    require_two_factor = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_("Members without two-factor login are asked to turn it on before they can use the team."),
    )
    # {"listen_recordings": "admin"}: the owner's choice of lowest role for roles.TEAM_ADJUSTABLE permissions.
    permission_overrides = models.JSONField(_("permission overrides"), default=dict, blank=True)
    members = models.ManyToManyField(User, through="Membership", related_name="teams")

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # Extensions or numbers as typed; when any, the member hears only recordings of calls from or to them.
    recording_numbers = models.JSONField(_("recordings limited to"), default=list, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]
        ordering = ["team", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.team} ({self.role})"

    def can(self, permission: str) -> bool:
        """The one check of a member's permission, with the team's overrides (see roles.role_has)."""
        # Only an adjustable permission needs the team (no query for the others when it is not loaded).
        overrides = self.team.permission_overrides if permission in TEAM_ADJUSTABLE else None
        return role_has(self.role, permission, overrides)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An emailed link to join a team; only the token's hash is stored."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.team}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ProviderAccount(models.Model):
    """A team's account at a provider; credentials are encrypted and write-only."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="provider_accounts")
    kind = models.CharField(_("provider"), max_length=16, choices=kind_choices)
    label = models.CharField(_("label"), max_length=100)
    credentials = EncryptedJSONField(_("credentials"))
    token_cache = EncryptedJSONField(_("token cache"))
    options = models.JSONField(_("options"), default=dict, blank=True)
    base_url = models.URLField(_("base URL"), blank=True, help_text=_("Leave empty for the provider's own address."))
    is_active = models.BooleanField(_("active"), default=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)  # rows from before ``last_error_stored``
    last_error_stored = models.JSONField(default=dict, blank=True)  # {"key": …, "params": {…}} (provider_errors)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("provider account")
        verbose_name_plural = _("provider accounts")
        ordering = ["team", "kind", "label"]
        constraints = [models.UniqueConstraint(fields=["team", "label"], name="unique_provider_label_per_team")]

    def __str__(self) -> str:
        return f"{self.label} ({kind_label(self.kind)})"

    @property
    def credentials_unreadable(self) -> bool:
        """No configured key decrypts the stored credentials: they must be entered again."""
        return is_unreadable(self.credentials)

    @property
    def is_healthy(self) -> bool | None:
        if self.last_checked_at is None:
            return None
        return not (self.last_error or self.last_error_stored)

    @property
    @admin_display(description=_("last error"))
    def last_error_text(self) -> str:
        """The last check's error in the reader's language."""
        from .provider_errors import render_text

        return render_text(self.last_error_stored, old_text=self.last_error)


class AuditEvent(models.Model):
    """Who did what, when, from where, on which object."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="audit_events", null=True, blank=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_email = models.EmailField(_("actor"), blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at"], name="audit_team_time"),
            # A call page's "who listened" asks for one object's events.
            models.Index(fields=["team", "object_type", "object_id"], name="audit_team_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"

    @property
    def action_label(self) -> str:
        """The action in the reader's language (``sms.send`` -> "SMS sent")."""
        return audit_labels.action_label(self.action)


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator app is lost; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code_per_user")]

    def __str__(self) -> str:
        return f"{self.user} ({'used' if self.used_at else 'unused'})"


class UserSession(models.Model):
    """A signed-in session of a person (see accounts.user_sessions: the session store has no index by user)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recorded_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.user_agent[:40]}"


# The single sign-on connection lives in its own module; imported here so Django finds the model.
from .sso_models import TeamSSO  # noqa: E402, F401
