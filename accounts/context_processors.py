from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import PERMISSIONS


class _Permissions:
    """``{% if perms_team.send %}`` in templates: the current member's named permissions."""

    def __init__(self, membership: Any) -> None:
        self._membership = membership

    def __getattr__(self, name: str) -> bool:
        if name not in PERMISSIONS:
            raise AttributeError(name)
        return bool(self._membership and self._membership.can(name))


def current_team(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    user = request.user
    return {
        "current_team": getattr(request, "team", None),
        "current_membership": membership,
        "team_perms": _Permissions(membership),
        # CurrentTeamMiddleware's one read of the member's teams (ordered by name), not a second query.
        "user_memberships": getattr(request, "memberships", []) if user.is_authenticated and membership else [],
    }
