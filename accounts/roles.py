"""Roles and the named permissions they grant: the one table every check reads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    OPERATOR = "operator", _("Operator")
    ADMIN = "admin", _("Admin")
    OWNER = "owner", _("Owner")


RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2, Role.OWNER: 3}

# permission -> the lowest role that has it
PERMISSIONS: dict[str, Role] = {
    "view": Role.VIEWER,  # read everything, play recordings, download documents
    "send": Role.OPERATOR,  # send SMS and faxes
    "disconnect_calls": Role.OPERATOR,
    "manage_faxes": Role.OPERATOR,  # retry / cancel
    "manage_contacts": Role.OPERATOR,
    "manage_providers": Role.ADMIN,
    "manage_members": Role.ADMIN,
    "view_audit": Role.ADMIN,
    "manage_webhooks": Role.ADMIN,  # webhook endpoints: add, change, delete, redeliver
    "delete_team": Role.OWNER,
    "transfer_ownership": Role.OWNER,
    "require_two_factor": Role.OWNER,  # make two-factor login compulsory for the team
    "manage_sso": Role.OWNER,  # single sign-on: the provider, new accounts by domain, password login off
}


def role_has(role: str, permission: str) -> bool:
    try:
        needed = PERMISSIONS[permission]
    except KeyError:
        raise ValueError(f"unknown permission {permission!r}") from None
    return RANK[Role(role)] >= RANK[needed]


def roles_below_or_equal(role: str) -> list[Role]:
    """The roles a member of ``role`` may hand out (never more than their own)."""
    return [r for r in Role if RANK[r] <= RANK[Role(role)]]
