from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User


class Kind(models.TextChoices):
    RECEIVED_FAX = "received_fax", _("Fax received")
    BATCH_FINISHED = "batch_finished", _("SMS batch finished")
    BATCH_FAILURES = "batch_failures", _("SMS batch finished with failures")
    CREDENTIALS_FAILING = "credentials_failing", _("Provider credentials failing")
    LOW_BALANCE = "low_balance", _("Low balance")
    FAX_STUCK = "fax_stuck", _("Fax stuck")
    FAX_FAILED = "fax_failed", _("Fax failed")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook endpoint disabled")
    EXPORT_READY = "export_ready", _("Export ready")
    FAX_MAILBOX_FAILING = "fax_mailbox_failing", _("Email-to-fax mailbox failing")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def visible_to(self, user: User) -> NotificationQuerySet:
        """The team's notices, and those addressed to ``user`` (a fax they sent failed)."""
        return self.filter(Q(recipient__isnull=True) | Q(recipient_id=user.pk))


class Notification(models.Model):
    """An in-app notice for a team (or one of its members), optionally emailed.

    The text is stored as its kind and parameters and written out in the reader's
    language (``message``); rows from before that keep their old text.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
        help_text=_("Empty: the whole team."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    legacy_message = models.CharField(_("message"), max_length=300, blank=True, db_column="message")
    url = models.CharField(_("link"), max_length=300, blank=True)
    # A recurring condition (low balance, failing credentials) is told once: while a notification
    # with its key is not cleared, the condition is not told again.
    key = models.CharField(_("condition"), max_length=100, blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "read_at"], name="notification_team_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "key"],
                condition=Q(cleared_at__isnull=True) & ~Q(key=""),
                name="one_open_notification_per_condition",
            )
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The text in the active language (the old stored text for rows from before keys)."""
        from .messages import notification_text

        return notification_text(self)

    @message.setter
    def message(self, value: str) -> None:
        # Free text, kept as is: only for rows that have no parameters to render from.
        self.legacy_message = str(value)[:300]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
