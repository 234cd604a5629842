"""Delivery reports: every submitted chunk's recipients brought up to date from the provider."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.provider_clients import client_for
from accounts.provider_specs.pasifik import PASIFIK
from providers.errors import ProviderError
from providers.pasifik import PasifikClient

from ..models import SmsBatch, SmsChunk, SmsRecipient
from ..numbers import msisdn_key
from ..webhook_events import sms_outcomes_emit
from .auto_retry import sms_batch_auto_retry
from .outcomes import batch_refresh_state
from .reconcile import sms_batch_reconcile

log = logging.getLogger(__name__)

REPORT_STATES = {"delivered": SmsRecipient.State.DELIVERED, "waiting": SmsRecipient.State.WAITING}


def sms_batch_reports(*, batch: SmsBatch, client: PasifikClient | None = None) -> int:
    """Brings every submitted chunk's recipients up to date. Returns how many recipients changed."""
    changed = 0
    own_client = client is None
    client = client or client_for(batch.account, PASIFIK)
    try:
        if sms_batch_reconcile(batch=batch, client=client):
            sms_batch_auto_retry(batch)
        for chunk in batch.chunks.filter(state=SmsChunk.State.SUBMITTED, reports_final=False, sms_id__isnull=False):
            sms_id = chunk.sms_id
            assert sms_id is not None  # the query keeps chunks that have one
            try:
                summary = client.sms_query_multi_by_id(sms_id=sms_id)
                done = summary.delivered_count + summary.undelivered_count
                known_done = chunk.recipients.filter(state__in=SmsRecipient.FINAL).count()
                if done == known_done and summary.waiting_count:
                    continue  # nothing new since the last look: skip the detailed report
                rows = client.sms_query(sms_id=sms_id)
            except ProviderError as exc:
                log.info("SMS chunk %s: report unavailable: %s", chunk.pk, exc)
                continue
            changed += _apply_report(chunk, rows)
            if not chunk.recipients.filter(state=SmsRecipient.State.WAITING).exists():
                SmsChunk.objects.filter(pk=chunk.pk).update(reports_final=True)
    finally:
        if own_client:
            client.close()
    batch_refresh_state(batch)
    return changed


def report_state(provider_state: str) -> str:
    """Our recipient state for the provider's word for it."""
    return REPORT_STATES.get(provider_state.strip().lower(), SmsRecipient.State.UNDELIVERED)


@transaction.atomic
def _apply_report(chunk: SmsChunk, rows: list[Any]) -> int:
    by_number: dict[str, list[Any]] = {}
    for row in rows:
        by_number.setdefault(msisdn_key(row.msisdn), []).append(row)
    changed = []
    outcomes = []  # those that just reached a final report
    for recipient in chunk.recipients.all():
        found = by_number.get(msisdn_key(recipient.phone))
        if not found:
            continue
        row = found.pop(0) if len(found) > 1 else found[0]
        state = report_state(row.state)
        new = (state, row.status_text[:200], row.cost, row.network, row.last_updated)
        old = (recipient.state, recipient.status_text, recipient.cost, recipient.network, recipient.last_update)
        if new != old:
            (recipient.state, recipient.status_text, recipient.cost, recipient.network, recipient.last_update) = new
            changed.append(recipient)
            if state != old[0] and state in SmsRecipient.FINAL:
                outcomes.append(recipient)
    SmsRecipient.objects.bulk_update(
        changed, ["state", "status_text", "cost", "network", "last_update"], batch_size=500
    )
    if outcomes:
        sms_outcomes_emit(batch=chunk.batch, recipients=outcomes)
    return len(changed)


def sms_reports_poll() -> str:
    """Every batch not completed yet, oldest first, due (sent or scheduled) within the longest validity plus a day."""
    horizon = timezone.now() - timedelta(days=2)
    ids = list(
        SmsBatch.objects.filter(
            Q(created_at__gte=horizon) | Q(scheduled_at__gte=horizon),
            state__in=(
                SmsBatch.State.SENDING,
                SmsBatch.State.SUBMITTED,
                SmsBatch.State.PAUSED,
                SmsBatch.State.CANCELLED,
            ),
        )
        .filter(chunks__reports_final=False, chunks__state__in=("submitted", "unknown", "submitting"))
        .distinct()
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    changed = 0
    for batch in SmsBatch.objects.filter(pk__in=ids).select_related("account"):
        try:
            changed += sms_batch_reports(batch=batch)
        except ValueError as exc:  # an account that lost its credentials must not stop the others
            log.warning("SMS batch %s: no reports: %s", batch.pk, exc)
    return f"{len(ids)} batches, {changed} recipients updated"
