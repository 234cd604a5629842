"""What the portal's middleware adds to a request, as types: django-stubs' ``HttpRequest`` knows none of it.

- ``TeamContextRequest``: any request past ``CurrentTeamMiddleware`` (the member's current team, or None);
- ``SignedInRequest``: a request ``LoginRequiredMiddleware`` let through to a view that requires login;
- ``TeamRequest``: a request a ``TeamView`` serves (its ``dispatch`` turns away one without a team).
"""

from __future__ import annotations

from typing import TypeGuard

from django.http import HttpRequest

from .models import Membership, Team, User


class TeamContextRequest(HttpRequest):
    team: Team | None
    membership: Membership | None
    memberships: list[Membership]


class SignedInRequest(HttpRequest):
    user: User


class TeamRequest(SignedInRequest):
    team: Team
    membership: Membership


def is_team_request(request: HttpRequest) -> TypeGuard[TeamRequest]:
    """Whether the request has a team (``CurrentTeamMiddleware`` finds one only for a signed-in member)."""
    return getattr(request, "team", None) is not None and request.user.is_authenticated
