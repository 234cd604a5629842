"""Roles and the named permissions they grant: the one table every check reads."""

from __future__ import annotations

from collections.abc import Mapping

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
    "view": Role.VIEWER,  # read everything, download documents
    # Call recordings: the owner may move these two per team (TEAM_ADJUSTABLE, Team.permission_overrides).
    "listen_recordings": Role.OPERATOR,
    "download_recordings": Role.ADMIN,
    "send": Role.OPERATOR,  # send SMS and faxes
    "disconnect_calls": Role.OPERATOR,
    "manage_faxes": Role.OPERATOR,  # retry / cancel
    "manage_contacts": Role.OPERATOR,  # SMS contacts and the fax address book
    "manage_cover_pages": Role.OPERATOR,  # fax cover page templates
    "manage_providers": Role.ADMIN,
    "manage_members": Role.ADMIN,
    "view_audit": Role.ADMIN,
    "manage_webhooks": Role.ADMIN,  # webhook endpoints: add, change, delete, redeliver
    "manage_fax_mailbox": Role.ADMIN,  # email to fax: the team's inbound mailbox and its settings
    "manage_fax_routing": Role.ADMIN,  # who gets received faxes by email (fax_to_email); send a failed mail again
    "manage_retention": Role.ADMIN,  # how long each kind of data is kept (privacy/retention.py)
    "manage_legal_holds": Role.ADMIN,  # keep a call, an SMS batch or a fax whatever retention says
    "handle_personal_data": Role.ADMIN,  # find, export and erase what we hold about a phone number
    "delete_team": Role.OWNER,
    "transfer_ownership": Role.OWNER,
    "require_two_factor": Role.OWNER,  # make two-factor login compulsory for the team
    "manage_sso": Role.OWNER,  # single sign-on: the provider, new accounts by domain, password login off
    "manage_recording_access": Role.OWNER,  # move the lowest role of the TEAM_ADJUSTABLE permissions
}

# The permissions whose lowest role a team's owner may change (stored in ``Team.permission_overrides``).
TEAM_ADJUSTABLE = ("listen_recordings", "download_recordings")


def lowest_role(permission: str, overrides: Mapping[str, str] | None = None) -> Role:
    """The lowest role that has ``permission``: the team's choice for an adjustable one, else the table's."""
    try:
        needed = PERMISSIONS[permission]
    except KeyError:
        raise ValueError(f"unknown permission {permission!r}") from None
    chosen = (overrides or {}).get(permission) if permission in TEAM_ADJUSTABLE else None
    return Role(chosen) if chosen in Role.values else needed


def role_has(role: str, permission: str, overrides: Mapping[str, str] | None = None) -> bool:
    """Whether ``role`` has ``permission``; ``overrides`` are the team's (``Team.permission_overrides``).

    Every check of a member goes through ``Membership.can``, which passes its team's overrides here,
    so a team's choice holds for views, templates and anything else that asks.
    """
    return RANK[Role(role)] >= RANK[lowest_role(permission, overrides)]


def roles_below_or_equal(role: str) -> list[Role]:
    """The roles a member of ``role`` may hand out (never more than their own)."""
    return [r for r in Role if RANK[r] <= RANK[Role(role)]]
