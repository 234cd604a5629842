"""What a report says: the calls summary, SMS and fax volume and spend of one period, read by the database.

Spend is what the providers report, never an estimate:

- **calls**: the sum of ``CallRecord.cost`` (the telephone account's history gives a cost per call;
  PBX records carry none, so PBX calls add nothing);
- **SMS**: the sum of ``SmsRecipient.cost`` (the cost the delivery reports give per recipient) of the
  batches created in the period, per currency of the batch; the batch's ``estimated_cost`` is not used;
- **fax**: no provider reports a price, so a report gives pages sent and received instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from accounts.models import Team
from fax.models import Direction as FaxDirection
from fax.models import Fax
from fax.models import Status as FaxStatus
from messaging.models import SmsBatch, SmsRecipient
from telephony import analytics
from telephony.analytics import Period
from telephony.stats_figures import StatsFigures

# Recipients the provider took: their parts were sent (and billed) whatever the delivery said.
SMS_ACCEPTED = (SmsRecipient.State.WAITING, SmsRecipient.State.DELIVERED, SmsRecipient.State.UNDELIVERED)


@dataclass
class SmsFigures:
    batches: int
    recipients: int
    parts_sent: int
    delivered: int
    spend: dict[str, Decimal]  # currency ("" when the provider gave none) -> the reported cost


@dataclass
class FaxFigures:
    sent: int
    pages_sent: int
    failed: int
    received: int
    pages_received: int


@dataclass
class ReportFigures:
    period: Period
    calls: analytics.Summary
    call_spend: Decimal
    sms: SmsFigures
    fax: FaxFigures


def sms_figures(team: Team, period: Period, zone: tzinfo) -> SmsFigures:
    batches = SmsBatch.objects.filter(team=team, created_at__gte=period.start(zone), created_at__lt=period.end(zone))
    recipients = SmsRecipient.objects.filter(batch__in=batches)
    counts = recipients.aggregate(
        recipients=Count("id"),
        parts_sent=Sum(F("batch__parts"), filter=Q(state__in=SMS_ACCEPTED), default=0),
        delivered=Count("id", filter=Q(state=SmsRecipient.State.DELIVERED)),
    )
    spend = {
        row["batch__currency"]: row["spend"]
        for row in recipients.values("batch__currency").annotate(spend=Sum("cost")).order_by("batch__currency")
        if row["spend"]
    }
    return SmsFigures(
        batches=batches.count(),
        recipients=counts["recipients"],
        parts_sent=counts["parts_sent"],
        delivered=counts["delivered"],
        spend=spend,
    )


def fax_figures(team: Team, period: Period, zone: tzinfo) -> FaxFigures:
    faxes = Fax.objects.filter(team=team, created_at__gte=period.start(zone), created_at__lt=period.end(zone))
    sent_q = Q(direction=FaxDirection.OUTGOING, status=FaxStatus.SENT)
    received_q = Q(direction=FaxDirection.INCOMING)
    counts = faxes.aggregate(
        sent=Count("id", filter=sent_q),
        pages_sent=Sum("pages", filter=sent_q, default=0),
        failed=Count("id", filter=Q(direction=FaxDirection.OUTGOING, status=FaxStatus.FAILED)),
        received=Count("id", filter=received_q),
        pages_received=Sum("pages", filter=received_q, default=0),
    )
    return FaxFigures(**counts)


def report_figures(team: Team, period: Period, zone: tzinfo) -> ReportFigures:
    calls = analytics.period_calls(team, period, analytics.Filters(), zone)
    return ReportFigures(
        period=period,
        calls=StatsFigures(team, period, analytics.Filters(), zone).summary,  # the rollup where it covers the days
        call_spend=calls.aggregate(spend=Sum("cost", default=Decimal(0)))["spend"],
        sms=sms_figures(team, period, zone),
        fax=fax_figures(team, period, zone),
    )
