"""What a token's scope lets it do, in the words of the one permission table (accounts/roles.py).

A token's right is its member's CURRENT role (checked through ``Membership.can``) AND its scope:
the scope only narrows what the role allows, it never grants a permission the role lacks.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import PERMISSIONS


class Scope(models.TextChoices):
    READ = "read", _("Read")
    SEND = "send", _("Send")
    ADMIN = "admin", _("Admin")


# scope -> the permissions of PERMISSIONS it lets through (``admin``: all of them)
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Reading a recording is reading: the member's role (the team's choice) still decides.
    Scope.READ: frozenset({"view", "listen_recordings", "download_recordings"}),
    Scope.SEND: frozenset(
        {
            "view",
            "listen_recordings",
            "download_recordings",
            "send",
            "disconnect_calls",
            "manage_faxes",
            "manage_contacts",
        }
    ),
    Scope.ADMIN: frozenset(PERMISSIONS),
}


def scope_allows(scope: str, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in SCOPE_PERMISSIONS[Scope(scope)]
