"""Which removals would leave a team without an owner (Django admin's deletions and role changes)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Membership
from .roles import Role
from .services import last_owner_message


def leaves_team_without_owner(removed: QuerySet[Membership]) -> list[Membership]:
    """The owner memberships among ``removed`` whose team would have no owner once all of ``removed`` are gone."""
    owners = list(removed.filter(role=Role.OWNER).select_related("team", "user"))
    gone = {membership.pk for membership in removed.only("pk")}
    orphaned = []
    for membership in owners:
        others = membership.team.memberships.filter(role=Role.OWNER).exclude(pk__in=gone)
        if not others.exists():
            orphaned.append(membership)
    return orphaned


def last_owner_refusals(removed: QuerySet[Membership]) -> list[str]:
    """One line a team that removing ``removed`` would leave without an owner, for Django admin's protected list."""
    return [
        _("%(team)s: %(email)s is its last owner. %(why)s")
        % {"team": membership.team.name, "email": membership.user.email, "why": last_owner_message()}
        for membership in leaves_team_without_owner(removed)
    ]
