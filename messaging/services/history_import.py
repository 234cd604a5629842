"""Batches sent outside the portal (the provider's own panel, another program) brought in from its reports."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import ProviderAccount, User
from accounts.provider_clients import client_for
from accounts.provider_specs.pasifik import PASIFIK
from providers.errors import ProviderError

from .. import balance
from ..models import SmsBatch, SmsChunk, SmsRecipient
from .errors import SmsError
from .reconcile import sms_batch_reconcile
from .reports import report_state

log = logging.getLogger(__name__)


def _e164_from_msisdn(msisdn: str) -> str:
    digits = "".join(c for c in msisdn if c.isdigit())
    if len(digits) == 10 and digits.startswith("5"):
        return f"+90{digits}"  # the reports drop Turkey's 90
    return f"+{digits}"


def sms_batches_import(*, account: ProviderAccount, actor: User | None, start: date, end: date) -> int:
    """Brings in the submits made between two days (query multi) that no batch of ours holds yet.

    Refused while a chunk of ours has an unknown outcome: its submit could be
    imported as someone else's, and the chunk then sent a second time.
    """
    with client_for(account, PASIFIK) as client:
        open_chunks = Q(chunks__state__in=(SmsChunk.State.UNKNOWN, SmsChunk.State.SUBMITTING))
        for batch in SmsBatch.objects.filter(open_chunks, account=account).distinct():
            sms_batch_reconcile(batch=batch, client=client)
        if SmsChunk.objects.filter(
            batch__account=account, state__in=(SmsChunk.State.UNKNOWN, SmsChunk.State.SUBMITTING)
        ).exists():
            raise SmsError(_("A send of this account is still being checked against the reports; import later."))
        reports = client.sms_query_multi(start_date=start, end_date=end)
        known = set(
            SmsChunk.objects.filter(batch__account=account, sms_id__isnull=False).values_list("sms_id", flat=True)
        )
        imported = 0
        currency = ""
        for report in reports:
            if report.sms_id in known:
                continue
            currency = currency or _report_currency(account, client)
            rows = client.sms_query(sms_id=report.sms_id)
            _import_report(account, report, rows, currency)
            imported += 1
    if imported:
        audit_record(team=account.team, actor=actor, action="sms.import", account=account.label, batches=imported)
    return imported


def _report_currency(account: ProviderAccount, client: Any) -> str:
    """The reports' costs are in the account's currency: the cached balance says which, or the provider."""
    known = balance.account_balance(account=account).currency
    if known:
        return known
    try:
        return client.user_settings().currency or ""
    except ProviderError as exc:
        log.info("SMS import of account %s: currency unknown: %s", account.pk, type(exc).__name__)
        return ""


@transaction.atomic
def _import_report(account: ProviderAccount, report: Any, rows: list[Any], currency: str) -> SmsBatch:
    texts = {r.payload for r in rows if r.payload}
    batch = SmsBatch.objects.create(
        team=account.team,
        account=account,
        sender=report.sender[:11],
        text=report.message,
        personalised=len(texts) > 1,
        alphabet="",
        state=SmsBatch.State.SUBMITTED,
        recipient_count=len(rows),
        estimated_cost=report.cost,
        currency=currency[:3] if report.cost is not None else "",
    )
    if report.created:
        SmsBatch.objects.filter(pk=batch.pk).update(created_at=report.created)
    chunk = SmsChunk.objects.create(
        batch=batch,
        index=0,
        size=len(rows),
        state=SmsChunk.State.SUBMITTED,
        sms_id=report.sms_id,
        submitted_at=report.created,
    )
    SmsRecipient.objects.bulk_create(
        SmsRecipient(
            batch=batch,
            chunk=chunk,
            phone=_e164_from_msisdn(row.msisdn),
            text=row.payload if len(texts) > 1 else "",
            state=report_state(row.state),
            status_text=row.status_text[:200],
            cost=row.cost,
            network=row.network,
            last_update=row.last_updated,
        )
        for row in rows
    )
    if not batch.recipients.filter(state=SmsRecipient.State.WAITING).exists():
        SmsChunk.objects.filter(pk=chunk.pk).update(reports_final=True)
        SmsBatch.objects.filter(pk=batch.pk).update(state=SmsBatch.State.COMPLETED)
    return batch
