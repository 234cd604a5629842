"""A team's webhook endpoints: added, changed, deleted and a delivery sent again, each audited."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import Team, User

from .emitters import deliveries_queue
from .models import Delivery, Endpoint
from .signing import secret_generate


class WebhookError(Exception):
    """A request we refuse, with a message safe to show."""


@transaction.atomic
def endpoint_create(
    *, team: Team, actor: User, url: str, description: str, events: list[str], request: HttpRequest | None = None
) -> tuple[Endpoint, str]:
    """The new endpoint and its signing secret (shown once: it is stored encrypted, never shown again)."""
    secret = secret_generate()
    endpoint = Endpoint.objects.create(
        team=team, url=url, description=description, events=events, secret={"secret": secret}, created_by=actor
    )
    audit_record(
        team=team, actor=actor, action="webhook.create", target=endpoint, request=request, url=url, events=events
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: Endpoint,
    actor: User,
    url: str,
    description: str,
    events: list[str],
    is_active: bool,
    request: HttpRequest | None = None,
) -> Endpoint:
    fields = ["url", "description", "events", "is_active"]
    if is_active and not endpoint.is_active:  # enabled again: its waiting deliveries go out, failures count afresh
        endpoint.disabled_by, endpoint.disabled_at, endpoint.failing_since = "", None, None
        fields += ["disabled_by", "disabled_at", "failing_since"]
    elif not is_active and endpoint.is_active:
        endpoint.disabled_by, endpoint.disabled_at = Endpoint.DisabledBy.PERSON, timezone.now()
        fields += ["disabled_by", "disabled_at"]
    endpoint.url, endpoint.description, endpoint.events, endpoint.is_active = url, description, events, is_active
    endpoint.save(update_fields=fields)
    audit_record(
        team=endpoint.team,
        actor=actor,
        action="webhook.update",
        target=endpoint,
        request=request,
        url=url,
        events=events,
        enabled=is_active,
    )
    if is_active:
        deliveries_queue(endpoint.deliveries.filter(state=Delivery.State.PENDING, next_attempt_at__lte=timezone.now()))
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor: User, request: HttpRequest | None = None) -> None:
    audit_record(
        team=endpoint.team, actor=actor, action="webhook.delete", target=endpoint, request=request, url=endpoint.url
    )
    endpoint.delete()


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, actor: User, request: HttpRequest | None = None) -> Delivery:
    """The same event sent again to the same endpoint, as a new delivery (the event id stays: receivers dedupe)."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise WebhookError(_("This endpoint is disabled: enable it to send its deliveries again."))
    again = Delivery.objects.create(
        team=delivery.team,
        endpoint=endpoint,
        event=delivery.event,
        redelivery_of=delivery,
        next_attempt_at=timezone.now(),
    )
    audit_record(
        team=delivery.team,
        actor=actor,
        action="webhook.redeliver",
        target=endpoint,
        request=request,
        url=endpoint.url,
        event=delivery.event.type,
        delivery=str(delivery.public_id),
    )
    deliveries_queue([again])
    return again
