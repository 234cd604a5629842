from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team


class Kind(models.TextChoices):
    RECEIVED_FAX = "received_fax", _("Fax received")
    BATCH_FINISHED = "batch_finished", _("SMS batch finished")
    CREDENTIALS_FAILING = "credentials_failing", _("Provider credentials failing")
    LOW_BALANCE = "low_balance", _("Low balance")
    FAX_STUCK = "fax_stuck", _("Fax stuck")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice for a team, optionally emailed to the team's notification address."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
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
    def is_read(self) -> bool:
        return self.read_at is not None
