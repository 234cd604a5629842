"""What fax tells the team through notifications: a fax received, stuck, or failed.

The notification keeps the number as it is shown; the status and the error are kept as codes and
keys, and read in the reader's language through what ``FaxConfig.ready`` registers.
"""

from __future__ import annotations

from django.urls import reverse

from core.phones import display_digits
from notifications.models import Kind
from notifications.services import notify

from .models import Fax


def fax_received_notify(*, fax: Fax) -> None:
    notify(
        team=fax.team,
        kind=Kind.RECEIVED_FAX,
        params={"number": display_digits(fax.remote_number), "account": fax.account.label if fax.account else ""},
        url=reverse("fax-detail", args=[fax.pk]),
    )


def fax_stuck_notify(*, fax: Fax) -> None:
    notify(
        team=fax.team,
        kind=Kind.FAX_STUCK,
        params={
            "id": fax.pk,
            "number": display_digits(fax.remote_number),
            "status": fax.status,
            "since": fax.status_changed_at.isoformat(),
        },
        url=reverse("fax-detail", args=[fax.pk]),
    )


def fax_failed_notify(*, fax: Fax) -> None:
    """Tells whoever sent the fax (in the bell and by email); the team when nobody did."""
    if fax.direction != "out":
        return
    member = fax.created_by_id and fax.team.memberships.filter(user_id=fax.created_by_id).exists()
    sender = fax.created_by if member else None
    notify(
        team=fax.team,
        kind=Kind.FAX_FAILED,
        params={
            "id": fax.pk,
            "number": display_digits(fax.remote_number),
            "error": fax.error_stored or (fax.error or fax.provider_status or "")[:200],
        },
        url=reverse("fax-detail", args=[fax.pk]),
        recipient=sender,
    )
