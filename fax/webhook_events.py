"""What fax tells the team's webhook endpoints (``fax.received``, ``fax.status``)."""

from __future__ import annotations

from typing import Any

from webhooks.emitters import emit
from webhooks.models import EventType

from .models import Fax


def _fax_data(fax: Fax) -> dict[str, Any]:
    return {
        "fax": fax.pk,
        "direction": fax.direction,
        "status": fax.status,
        "provider_status": fax.provider_status,
        "our_number": fax.our_number,
        "remote_number": fax.remote_number,
        "pages": fax.pages,
        "account": fax.account_id,
        "created": fax.created_at,
        "completed": fax.completed_at,
    }


def fax_received_emit(*, fax: Fax) -> int:
    return emit(team_id=fax.team_id, type=EventType.FAX_RECEIVED, data=_fax_data(fax))


def fax_status_emit(*, fax: Fax, previous: str) -> int:
    return emit(team_id=fax.team_id, type=EventType.FAX_STATUS, data={**_fax_data(fax), "previous_status": previous})
