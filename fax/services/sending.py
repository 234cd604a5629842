"""Sending a queued fax once: claimed atomically, so a duplicate task or a double click never sends twice.

A send whose answer was lost (``ProviderUnavailable.request_sent``, an unreadable answer, a send cut off on
the wire) is marked ``outcome_unknown`` and reconciled from the provider's records (``tracking``), never resent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db.models import F
from django.utils import timezone

from accounts.provider_errors import describe_stored
from accounts.stored_text import stored as keyed
from core.db import with_retries
from providers.errors import (
    InvalidRequest,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
)

from ..gateways import Document, gateway_for
from ..models import Direction, Fax, FaxDocument, Quality, Status
from .retry import requeue_or_fail
from .status import add_event, finish, set_error, set_status
from .storage import read_document

# The send task's limits: past SEND_TIME_LIMIT no task can still be sending a fax it claimed.
SEND_SOFT_TIME_LIMIT, SEND_TIME_LIMIT = 120, 150


def queue_sends(fax_ids: Sequence[int]) -> None:
    from ..tasks import send_fax

    for pk in fax_ids:  # a broker that is down leaves the fax queued: the watchdog (stale_queued) sends it
        send_fax.delay_on_commit(pk)


def fax_send(*, fax_id: int) -> str:
    """Sends one queued fax once. Returns a short status for the task: sent, retry-later, failed, …"""
    now = timezone.now()
    claimed = Fax.objects.filter(pk=fax_id, status=Status.QUEUED, direction=Direction.OUTGOING).update(
        status=Status.SENDING, attempts=F("attempts") + 1, status_changed_at=now, error="", error_stored={}
    )
    if claimed != 1:
        return "not-queued"
    fax = Fax.objects.select_related("account", "team").get(pk=fax_id)
    if fax.account is None or not fax.account.is_active:
        finish(fax, Status.FAILED, message=keyed("account_gone"))
        return "failed"
    add_event(fax, "attempt", Status.SENDING, key="attempt", params={"n": fax.attempts})
    gateway = gateway_for(fax.account)
    started = timezone.now()
    try:
        submitted = gateway.send(
            fax=fax,
            documents=transmitted_documents(fax),
            fine=fax.quality == Quality.FINE,
            scheduled_at=fax.scheduled_at if gateway.capabilities.schedule else None,
        )
    except ProviderUnavailable as exc:
        if exc.request_sent:
            return outcome_unknown(fax, exc, started)
        return requeue_or_fail(fax, describe_stored(exc))
    except RateLimited as exc:
        return requeue_or_fail(fax, describe_stored(exc))
    except UnexpectedResponse as exc:
        # The provider answered but we could not read it: it may well have taken the fax.
        return outcome_unknown(fax, exc, started)
    except SoftTimeLimitExceeded:
        # Cut off on the wire: the provider may have it, so its records settle it.
        return outcome_unknown(fax, None, started)
    except InvalidRequest as exc:
        fax.error_fields = gateway.map_fields(exc.field_errors)
        finish(fax, Status.FAILED, message=describe_stored(exc), update=["error_fields"])
        return "failed"
    except ProviderError as exc:
        finish(fax, Status.FAILED, message=describe_stored(exc))
        return "failed"
    finally:
        gateway.close()
    # What the provider said is known here: a lost database connection must not make it unknown.
    with_retries(
        lambda: accepted(fax, submitted.provider_id, submitted.provider_status, submitted.status, submitted.ref)
    )
    return "accepted"


def transmitted_documents(fax: Fax) -> list[Document]:
    documents = list(fax.documents.all())
    chosen = [d for d in documents if d.role == FaxDocument.Role.TRANSMITTED] or [
        d for d in documents if d.role == FaxDocument.Role.ORIGINAL
    ]
    return [Document(read_document(d), d.media_type, d.filename) for d in chosen]


def accepted(fax: Fax, provider_id: str, provider_status: str, status: str, ref: dict[str, Any]) -> None:
    """The provider has the fax (it said so, or its records show a send whose answer was lost)."""
    fax.provider_id = provider_id
    fax.provider_ref = {**fax.provider_ref, **ref}
    fax.outcome_unknown = False
    fax.provider_status = provider_status[:100]
    fax.save(update_fields=["provider_id", "provider_ref", "outcome_unknown", "provider_status"])
    add_event(fax, "accepted", Status.SENDING, key="accepted", params={"id": provider_id})
    if status != Status.SENDING:
        set_status(fax, status, provider_status)


def outcome_unknown(fax: Fax, exc: ProviderError | None, started: datetime) -> str:
    """``exc`` None: the send was cut off (time limit, a worker that died) with the request on its way."""
    fax.outcome_unknown = True
    set_error(fax, describe_stored(exc) if exc is not None else keyed("send_cut_off"))
    fax.provider_ref = {**fax.provider_ref, "attempt_started": started.isoformat()}
    fax.save(update_fields=["outcome_unknown", "error", "error_stored", "provider_ref"])
    add_event(fax, "unknown", Status.SENDING, key="unknown")
    return "unknown"
