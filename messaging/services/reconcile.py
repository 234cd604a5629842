"""Unknown outcomes settled from the provider's reports: a chunk that may have reached the provider is
matched to a submit there, or, once the reports had time to show it, declared not sent."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.stored_text import stored
from providers.errors import ProviderError

from ..models import SmsBatch, SmsChunk
from ..numbers import msisdn_key
from .outcomes import chunk_finish

log = logging.getLogger(__name__)

# How long a chunk may sit in "submitting" or "unknown" before the reports are
# believed when they do not show it: the provider lists a submit at once, a
# worker that died mid-request leaves "submitting" behind.
DEFAULT_RECONCILE_GRACE = 120


def _grace() -> timedelta:
    return timedelta(seconds=getattr(settings, "SMS_RECONCILE_GRACE_SECONDS", DEFAULT_RECONCILE_GRACE))


def sms_batch_reconcile(*, batch: SmsBatch, client: Any) -> int:
    """Settles unknown (and stale submitting) chunks from the provider's reports. Returns how many settled.

    A chunk is matched to a report by sender, text, count and the exact set of
    numbers (``sms_query``), among the submits no chunk of ours has claimed yet.
    Not in the reports after the grace period: the provider never took it, so
    it becomes failed and may be retried.
    """
    now = timezone.now()
    stale = now - _grace()
    pending = list(
        batch.chunks.filter(
            Q(state=SmsChunk.State.UNKNOWN) | Q(state=SmsChunk.State.SUBMITTING, attempted_at__lt=stale)
        ).order_by("index")
    )
    if not pending:
        return 0
    earliest = min(c.attempted_at or now for c in pending)
    try:
        reports = client.sms_query_multi(start_date=earliest - timedelta(days=1), end_date=now + timedelta(days=1))
    except ProviderError as exc:
        log.info("SMS batch %s: reports unavailable for reconciling: %s", batch.pk, exc)
        return 0
    known = set(
        SmsChunk.objects.filter(batch__account=batch.account, sms_id__isnull=False).values_list("sms_id", flat=True)
    )
    settled = 0
    for chunk in pending:
        numbers = sorted(msisdn_key(p) for p in chunk.recipients.values_list("phone", flat=True))
        match = None
        for report in reports:
            if report.sms_id in known or report.sender != batch.sender or report.count != len(numbers):
                continue
            if not batch.personalised and report.message != batch.text:
                continue
            try:
                rows = client.sms_query(sms_id=report.sms_id)
            except ProviderError:
                match = False  # cannot tell now: leave it unknown for the next pass
                break
            if sorted(msisdn_key(r.msisdn) for r in rows) == numbers:
                match = report.sms_id
                break
        if match:
            known.add(match)
            chunk_finish(chunk, SmsChunk.State.SUBMITTED, sms_id=match)
            settled += 1
        elif match is None and (chunk.attempted_at or now) < stale:
            chunk_finish(
                chunk,
                SmsChunk.State.FAILED,
                error=stored("sms.not_in_reports"),
                retryable=True,
            )
            settled += 1
    return settled
