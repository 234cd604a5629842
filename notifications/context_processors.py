"""The unread-notification count for the bell in the navigation bar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .unread import unread_count

CAP = 99


def notifications(request: HttpRequest) -> dict[str, Any]:
    team = getattr(request, "team", None)
    if team is None or not request.user.is_authenticated:  # a team is found only for a signed-in member
        return {"unread_notifications": 0}
    user = request.user

    def bell() -> int | str:
        count = unread_count(team=team, user=user, cap=CAP)
        return f"{CAP}+" if count > CAP else count

    # Read only by a template that shows it (the full pages' navigation), not by the htmx fragments.
    return {"unread_notifications": SimpleLazyObject(bell)}
