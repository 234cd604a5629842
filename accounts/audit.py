"""The one service every state-changing action calls to leave an audit event."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, Team, User
from .throttle import client_address

Row = TypeVar("Row", bound=models.Model)


def client_ip(request: HttpRequest | None) -> str | None:
    """The same address log-in throttling sees (behind the trusted proxies, see settings)."""
    if request is None:
        return None
    return client_address(request)


def audit_record(
    *,
    team: Team | None,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    **data: Any,
) -> AuditEvent:
    """Writes one audit event. ``data`` must hold no secret: callers pass names, not values."""
    via_token = getattr(request, "api_token_name", None)  # set by the API's token check (api/authentication.py)
    if via_token:
        data = {**data, "via_api_token": via_token}
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        team=team,
        actor=user,
        actor_email=user.email if user else "",
        action=action,
        object_type=(target._meta.model_name or "") if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        data=data,
    )


def audited_save(
    row: Row, *, team: Team, actor: User, create: str, update: str, request: HttpRequest | None = None
) -> Row:
    """Saves a team's row and records ``create`` (a new row) or ``update`` for it, in the caller's transaction."""
    action = create if row._state.adding else update
    row.save()
    audit_record(team=team, actor=actor, action=action, target=row, request=request)
    return row


def audited_delete(
    row: models.Model, *, team: Team, actor: User, action: str, request: HttpRequest | None = None
) -> None:
    """Records ``action`` for a team's row (its id and name kept in the event), then deletes it."""
    audit_record(team=team, actor=actor, action=action, target=row, request=request)
    row.delete()


def audit_for_user(*, user: User, action: str, request: HttpRequest | None = None, **data: Any) -> None:
    """An event about a person's own account: each team they belong to sees it in its log."""
    memberships = list(user.memberships.select_related("team"))
    for membership in memberships:
        audit_record(team=membership.team, actor=user, action=action, target=user, request=request, **data)
    if not memberships:
        audit_record(team=None, actor=user, action=action, target=user, request=request, **data)
