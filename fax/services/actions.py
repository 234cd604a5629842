"""Retry, cancel and resend, as a person asks on a fax's page: each audited, each on the fax's timeline."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from accounts.provider_errors import describe
from providers.errors import ProviderError

from ..gateways import GATEWAYS, Gateway, gateway_for
from ..models import Direction, Fax, FaxDocument, Status
from ..signals import fax_finished
from ..webhook_events import fax_status_emit
from . import FaxActionError, sending
from .status import add_event, set_status
from .storage import as_stored, attach


def can_retry(fax: Fax) -> bool:
    if fax.direction != Direction.OUTGOING or fax.account is None:
        return False
    if fax.status == Status.FAILED and not fax.provider_id:
        return True  # it never reached the provider: sending it again is safe
    gateway = GATEWAYS[fax.account.kind]
    return gateway.capabilities.retry and gateway.can_retry(fax)


def can_cancel(fax: Fax) -> bool:
    if fax.direction != Direction.OUTGOING or fax.account is None:
        return False
    if fax.status in (Status.SCHEDULED, Status.QUEUED):
        return True
    gateway = GATEWAYS[fax.account.kind]
    return gateway.capabilities.cancel and gateway.can_cancel(fax)


def fax_retry(*, fax: Fax, actor: User | None, request: HttpRequest | None = None) -> str:
    if not can_retry(fax):
        raise FaxActionError(_("This fax cannot be retried now."))
    audit_record(team=fax.team, actor=actor, action="fax.retry", target=fax, request=request)
    if not fax.provider_id:
        updated = Fax.objects.filter(pk=fax.pk, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempts=0,
            error="",
            error_stored={},
            error_fields={},
            status_changed_at=timezone.now(),
            completed_at=None,
        )
        if updated:
            add_event(fax, "retry", Status.QUEUED, actor=actor)
            sending.queue_sends([fax.pk])
        return "requeued"
    gateway = _gateway(fax)
    try:
        tracked = gateway.retry(fax)
    except ProviderError as exc:
        raise FaxActionError(describe(exc)) from None
    finally:
        gateway.close()
    Fax.objects.filter(pk=fax.pk).update(error="", completed_at=None)
    add_event(fax, "retry", "", key="retry_asked", actor=actor)
    set_status(fax, tracked.status, tracked.provider_status, force_event=True)
    return fax.status


def fax_cancel(*, fax: Fax, actor: User | None, request: HttpRequest | None = None) -> str:
    if not can_cancel(fax):
        raise FaxActionError(_("This fax cannot be cancelled now."))
    held = fax.status == Status.SCHEDULED
    action = "fax.schedule_cancel" if held else "fax.cancel"
    audit_record(team=fax.team, actor=actor, action=action, target=fax, request=request)
    # Held or queued, it has not reached the provider: whichever of the two it is now, it stops here.
    not_sent = (Status.SCHEDULED, Status.QUEUED)
    previous = fax.status
    if previous in not_sent and Fax.objects.filter(pk=fax.pk, status__in=not_sent).update(
        status=Status.CANCELLED, status_changed_at=timezone.now(), completed_at=timezone.now()
    ):
        add_event(fax, "cancel", Status.CANCELLED, key="cancelled_here", actor=actor)
        fax.refresh_from_db()
        fax_status_emit(fax=fax, previous=previous)
        fax_finished.send(sender=Fax, fax=fax)
        return Status.CANCELLED
    if not fax.provider_id:
        raise FaxActionError(_("This fax is being sent right now; try again in a moment."))
    gateway = _gateway(fax)
    try:
        # Where it can be known, the provider's state now, not the one the page was drawn from: a fax it has
        # started sending is told so, not sent a cancel that the provider then refuses.
        if gateway.capabilities.status and fax.provider_id:
            fresh = gateway.track(fax)
            set_status(fax, fresh.status, fresh.provider_status, fresh.message)
            if not can_cancel(fax):
                raise FaxActionError(_("The provider is already sending this fax: it can no longer be cancelled."))
        tracked = gateway.cancel(fax)
    except ProviderError as exc:
        raise FaxActionError(describe(exc)) from None
    finally:
        gateway.close()
    add_event(fax, "cancel", "", key="cancel_asked", actor=actor)
    set_status(fax, tracked.status, tracked.provider_status, force_event=True)
    return fax.status


def _gateway(fax: Fax) -> Gateway[Any]:
    """The gateway of a fax that ``can_retry`` / ``can_cancel`` found an account for."""
    assert fax.account is not None
    return gateway_for(fax.account)


@transaction.atomic
def fax_resend(*, fax: Fax, actor: User | None, request: HttpRequest | None = None) -> Fax:
    """A new fax to the same number with the same documents."""
    if fax.account is None or not fax.account.is_active:
        raise FaxActionError(_("The provider account is gone or inactive."))
    if fax.direction != Direction.OUTGOING:
        raise FaxActionError(_("Only sent faxes can be resent."))
    copy = Fax.objects.create(
        team=fax.team,
        account=fax.account,
        direction=Direction.OUTGOING,
        status=Status.QUEUED,
        our_number=fax.our_number,
        remote_number=fax.remote_number,
        quality=fax.quality,
        pages=fax.pages,
        resent_from=fax,
        created_by=actor,
    )
    for document in fax.documents.all():
        if document.role == FaxDocument.Role.ORIGINAL or (
            document.role == FaxDocument.Role.TRANSMITTED and fax.draft_id is not None
        ):
            attach(copy, document.role, as_stored(document), document.position)
    add_event(copy, "queued", Status.QUEUED, key="resend_of", params={"id": fax.pk}, actor=actor)
    audit_record(team=fax.team, actor=actor, action="fax.send", target=copy, request=request, resend_of=fax.pk)
    sending.queue_sends([copy.pk])
    return copy
