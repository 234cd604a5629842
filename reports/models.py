"""A member's subscription to the emailed calls, SMS and fax summary, and the last period it was sent for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership


class Frequency(models.TextChoices):
    OFF = "off", _("No email")
    WEEKLY = "weekly", _("Every week (Monday to Sunday)")
    MONTHLY = "monthly", _("Every month")


class ReportSubscription(models.Model):
    """One per member who chose a frequency; the member's own setting, in their team."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="report_subscription")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.OFF)
    # The first day of the last period a report was sent for: claimed before sending, so it goes once.
    last_period_start = models.DateField(_("last period sent"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")

    def __str__(self) -> str:
        return f"{self.membership} {self.frequency}"
