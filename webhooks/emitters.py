"""Storing events for the endpoints that want them: cheap for the caller, sent after its commit.

The apps that own what happened call these from their services (messaging, fax, telephony), and
``WebhooksConfig.ready`` connects ``provider_failing_emit`` to accounts' ``provider_checked``.
A team without an endpoint for the event costs one query; otherwise one event row, one delivery row
per endpoint, and one task per delivery queued once the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import override

from accounts.models import ProviderAccount
from accounts.provider_errors import render_text
from accounts.stored_text import StoredText

from .models import Delivery, Endpoint, Event, EventType


def _subscribed(team_id: int, type: str) -> list[int]:
    return [
        pk for pk, events in Endpoint.objects.filter(team_id=team_id, is_active=True).values_list("pk", "events")
        if type in (events or [])
    ]  # fmt: skip


def is_wanted(*, team_id: int, type: str) -> bool:
    """Whether an enabled endpoint of the team hears of ``type`` (to skip building data nobody reads)."""
    return bool(_subscribed(team_id, type))


def emit_many(*, team_id: int, type: str, items: Sequence[dict[str, Any]]) -> int:
    """One event per item of data, for each enabled endpoint of the team subscribed to ``type``."""
    if not items:
        return 0
    endpoints = _subscribed(team_id, type)
    if not endpoints:
        return 0
    now = timezone.now()
    events = Event.objects.bulk_create(
        [Event(team_id=team_id, type=type, data=_plain(data), created_at=now) for data in items]
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(team_id=team_id, endpoint_id=endpoint, event=event, next_attempt_at=now, created_at=now)
            for event in events
            for endpoint in endpoints
        ]
    )
    deliveries_queue(deliveries)
    return len(deliveries)


def emit(*, team_id: int, type: str, data: dict[str, Any]) -> int:
    return emit_many(team_id=team_id, type=type, items=[data])


def deliveries_queue(deliveries: Iterable[Delivery]) -> None:
    from .tasks import delivery_send_task

    for delivery in deliveries:
        # The sweep of due deliveries sends it if the broker cannot take this.
        delivery_send_task.delay_on_commit(delivery.pk)


def _plain(value: Any) -> Any:
    """JSON-ready data: times in ISO 8601 (UTC), money as strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def provider_failing_emit(*, account: ProviderAccount, error: StoredText | str) -> int:
    with override("en"):  # the payload is read by programs: one language, whoever's team it is
        text = render_text(error) if isinstance(error, dict) else str(error)
    return emit(
        team_id=account.team_id,
        type=EventType.PROVIDER_FAILING,
        data={
            "account": {"id": account.pk, "label": account.label, "kind": account.kind},
            "error": text[:500],
            "error_code": error.get("key", "") if isinstance(error, dict) else "",
        },
    )
