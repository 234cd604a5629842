"""The API's one check: the token's member's current role (accounts/roles.py) AND the token's scope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import ApiToken
from .scopes import scope_allows


def token_can(token: ApiToken, permission: str) -> bool:
    return token.membership.can(permission) and scope_allows(token.scope, permission)


class TokenPermission(BasePermission):
    @property
    def message(self) -> str:
        return _("This token may not do this: its scope or its member's role does not allow it.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False  # DRF answers 401 (no credentials) with the authenticate header
        return token_can(token, view.required_permission(request.method or "GET"))
