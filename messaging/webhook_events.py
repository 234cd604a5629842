"""What messaging tells the team's webhook endpoints (``sms.delivered``, ``sms.failed``, ``sms.batch.finished``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from webhooks.emitters import emit, emit_many, is_wanted
from webhooks.models import EventType

from .models import SmsBatch, SmsChunk, SmsRecipient

OUTCOME_EVENTS = {
    SmsRecipient.State.DELIVERED: EventType.SMS_DELIVERED,
    SmsRecipient.State.UNDELIVERED: EventType.SMS_FAILED,
    SmsRecipient.State.FAILED: EventType.SMS_FAILED,
}


def _recipient_data(batch: SmsBatch, recipient: SmsRecipient) -> dict[str, Any]:
    return {
        "batch": batch.pk,
        "recipient": recipient.pk,
        "phone": recipient.phone,
        "sender": batch.sender,
        "state": recipient.state,
        "provider_status": recipient.status_text,
        "updated": recipient.last_update,
    }


def sms_outcomes_emit(*, batch: SmsBatch, recipients: Iterable[SmsRecipient]) -> int:
    """An event for each recipient that just reached delivered, undelivered or not accepted."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for recipient in recipients:
        event_type = OUTCOME_EVENTS.get(SmsRecipient.State(recipient.state))
        if event_type is not None:
            by_type.setdefault(event_type, []).append(_recipient_data(batch, recipient))
    return sum(emit_many(team_id=batch.team_id, type=t, items=items) for t, items in by_type.items())


def sms_chunk_refused_emit(*, chunk: SmsChunk) -> int:
    """``sms.failed`` for each recipient of a chunk the provider refused for good (before they are marked so)."""
    batch = SmsBatch.objects.get(pk=chunk.batch_id)
    if not is_wanted(team_id=batch.team_id, type=EventType.SMS_FAILED):
        return 0
    refused = list(chunk.recipients.exclude(state=SmsRecipient.State.FAILED))
    for recipient in refused:
        recipient.state, recipient.status_text = SmsRecipient.State.FAILED, ""
    return sms_outcomes_emit(batch=batch, recipients=refused)


def sms_batch_finished_emit(*, batch: SmsBatch, counts: dict[str, int]) -> int:
    return emit(
        team_id=batch.team_id,
        type=EventType.SMS_BATCH_FINISHED,
        data={
            "batch": batch.pk,
            "sender": batch.sender,
            "recipients": batch.recipient_count,
            "delivered": counts.get(SmsRecipient.State.DELIVERED, 0),
            "undelivered": counts.get(SmsRecipient.State.UNDELIVERED, 0),
            "failed": counts.get(SmsRecipient.State.FAILED, 0),
            "cancelled": counts.get(SmsRecipient.State.CANCELLED, 0),
        },
    )
