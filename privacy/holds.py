"""Legal holds: a call record, an SMS batch or a fax kept whatever retention or an erasure asks."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from fax.models import Fax
from messaging.models import SmsBatch
from telephony.models import CallRecord

REASON_MAX = 300
HeldItem = CallRecord | SmsBatch | Fax


@transaction.atomic
def legal_hold_set(*, item: HeldItem, actor: User, reason: str, request: HttpRequest | None = None) -> None:
    item.legal_hold = True
    item.legal_hold_reason = reason[:REASON_MAX]
    item.legal_hold_by = actor.email
    item.legal_hold_at = timezone.now()
    item.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at"])
    audit_record(
        team=item.team,
        actor=actor,
        action="legal_hold.set",
        target=item,
        request=request,
        reason=item.legal_hold_reason,
    )


@transaction.atomic
def legal_hold_clear(*, item: HeldItem, actor: User, reason: str, request: HttpRequest | None = None) -> None:
    """Clears the hold; who set it and why stays in the audit log."""
    item.legal_hold = False
    item.legal_hold_reason = ""
    item.legal_hold_by = ""
    item.legal_hold_at = None
    item.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at"])
    audit_record(
        team=item.team,
        actor=actor,
        action="legal_hold.clear",
        target=item,
        request=request,
        reason=reason[:REASON_MAX],
    )
