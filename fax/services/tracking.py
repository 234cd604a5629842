"""Following a sent fax at its provider, and reconciling a send whose answer was lost from the provider's records."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.provider_errors import describe_stored
from accounts.stored_text import stored as keyed
from providers.errors import ProviderError

from ..gateways import Gateway, Unsupported, gateway_for
from ..models import Direction, Fax, Status
from .sending import accepted
from .status import finish, is_new_error, set_error, set_status

UNKNOWN_GRACE = timedelta(minutes=15)  # how long a lost send is looked for before it is declared failed


def faxes_to_track() -> list[int]:
    return list(
        Fax.objects.filter(direction=Direction.OUTGOING, status=Status.SENDING, account__is_active=True)
        .order_by("status_changed_at")
        .values_list("pk", flat=True)[:500]
    )


def fax_track(*, fax: Fax) -> str:
    """Asks the provider where an unfinished outgoing fax is; reconciles a lost send first."""
    if fax.is_finished or fax.account is None or fax.status in (Status.SCHEDULED, Status.QUEUED):
        return "skipped"
    gateway = gateway_for(fax.account)
    try:
        if fax.outcome_unknown:
            return _reconcile(fax, gateway)
        if not fax.provider_id or not gateway.capabilities.status:
            return "no-status"
        tracked = gateway.track(fax)
    except Unsupported:
        return "error"
    except ProviderError as exc:
        message = describe_stored(exc)
        if is_new_error(fax, message):
            Fax.objects.filter(pk=fax.pk).update(**set_error(fax, message))
        return "error"
    finally:
        gateway.close()
    if tracked.pages and tracked.pages != fax.pages:
        fax.pages = tracked.pages
    set_error(fax, "")
    fax.save(update_fields=["pages", "provider_ref", "error", "error_stored"])
    set_status(fax, tracked.status, tracked.provider_status, tracked.message)
    return fax.status


def _reconcile(fax: Fax, gateway: Gateway[Any]) -> str:
    started = _parse_time(fax.provider_ref.get("attempt_started")) or fax.status_changed_at
    found = gateway.find_sent(fax, since=started)
    if found is not None:
        accepted(fax, found.provider_id, found.provider_status, found.status, found.ref)
        return "reconciled"
    if timezone.now() - started < UNKNOWN_GRACE:
        return "still-unknown"
    fax.outcome_unknown = False
    fax.save(update_fields=["outcome_unknown"])
    finish(fax, Status.FAILED, message=keyed("no_record"))
    return "failed"


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
