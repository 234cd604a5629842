"""Sending each due report once per period, and a member's own subscription."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership
from telephony.analytics import Period

from .figures import report_figures
from .models import Frequency, ReportSubscription
from .periods import last_complete_period
from .workbook import report_workbook

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def subscription_set(*, membership: Membership, frequency: str) -> ReportSubscription:
    """The member's choice; the first report covers the first whole period after it (none is sent for the past)."""
    subscription, _created = ReportSubscription.objects.get_or_create(membership=membership)
    if frequency != subscription.frequency:
        subscription.frequency = frequency
        if frequency != Frequency.OFF:
            with timezone.override(membership.team.tzinfo):
                subscription.last_period_start = last_complete_period(frequency, timezone.localdate()).first
        subscription.save(update_fields=["frequency", "last_period_start", "updated_at"])
    return subscription


def next_report_day(subscription: ReportSubscription) -> date | None:
    """The day (in the team's zone) the next report goes out: the day after the period it covers ends."""
    if subscription.frequency == Frequency.OFF:
        return None
    with timezone.override(subscription.membership.team.tzinfo):
        today = timezone.localdate()
    current = last_complete_period(subscription.frequency, today)
    if subscription.last_period_start != current.first:
        return today  # due now: the next hourly run sends it
    this_period_start = current.last + timedelta(days=1)
    if subscription.frequency == Frequency.WEEKLY:
        return this_period_start + timedelta(days=7)
    return (this_period_start + timedelta(days=32)).replace(day=1)


def report_email(subscription: ReportSubscription, period: Period) -> EmailMultiAlternatives:
    """The email of ``period``, in the member's language and the team's time zone."""
    membership = subscription.membership
    team, user = membership.team, membership.user
    zone = team.tzinfo
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
        figures = report_figures(team, period, zone)
        context = {"team": team, "figures": figures, "frequency": subscription.frequency}
        subject = _("%(team)s: calls, SMS and fax, %(first)s – %(last)s") % {
            "team": team.name,
            "first": period.first.strftime("%d.%m.%Y"),
            "last": period.last.strftime("%d.%m.%Y"),
        }
        email = EmailMultiAlternatives(
            subject=subject, body=render_to_string("reports/email/summary.txt", context), to=[user.email]
        )
        email.attach_alternative(render_to_string("reports/email/summary.html", context), "text/html")
        email.attach(f"report-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx", report_workbook(figures, zone), XLSX)
    return email


def report_send(*, subscription: ReportSubscription, now: datetime) -> str:
    """Claims the subscription's last whole period, then sends it: a second run for the same period sends nothing."""
    with timezone.override(subscription.membership.team.tzinfo):
        period = last_complete_period(subscription.frequency, timezone.localdate(now))
    previous = subscription.last_period_start
    with transaction.atomic():
        claimed = (
            ReportSubscription.objects.filter(pk=subscription.pk, frequency=subscription.frequency)
            .exclude(last_period_start=period.first)
            .update(last_period_start=period.first, last_sent_at=now)
        )
    if not claimed:
        return "already sent"
    try:
        report_email(subscription, period).send()
    except Exception:  # SMTP down or refusing: release the claim so the next run tries again
        log.exception("report for subscription %s failed", subscription.pk)
        ReportSubscription.objects.filter(pk=subscription.pk, last_period_start=period.first).update(
            last_period_start=previous
        )
        return "failed"
    return "sent"


def reports_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Every subscription whose last whole period has not been sent yet (run by beat, every hour)."""
    now = now or timezone.now()
    outcomes: dict[str, int] = {}
    subscriptions = ReportSubscription.objects.exclude(frequency=Frequency.OFF).select_related(
        "membership__team", "membership__user"
    )
    for subscription in subscriptions.filter(membership__user__is_active=True).order_by("pk"):
        outcome = report_send(subscription=subscription, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
