"""The unread-notification count for the bell in the navigation bar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Notification

CAP = 99


def notifications(request: HttpRequest) -> dict[str, Any]:
    team = getattr(request, "team", None)
    if team is None or not request.user.is_authenticated:  # a team is found only for a signed-in member
        return {"unread_notifications": 0}
    # A bounded read, not COUNT(*): every page pays for this query.
    unread = (
        Notification.objects.filter(team=team, read_at__isnull=True)
        .visible_to(request.user)
        .values_list("pk", flat=True)[: CAP + 1]
    )
    count = len(unread)
    return {"unread_notifications": f"{CAP}+" if count > CAP else count}
