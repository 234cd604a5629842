"""``Authorization: Bearer tp_…``: the token names its member and its team, nothing else does."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from .models import ApiToken
from .tokens import TokenRefused, token_find, token_used

REFUSALS = {
    "invalid": lambda: _("The API token is not valid."),
    "revoked": lambda: _("The API token has been revoked."),
    "expired": lambda: _("The API token has expired."),
}


class TokenRefusedError(exceptions.AuthenticationFailed):
    def __init__(self, code: str) -> None:
        super().__init__(REFUSALS[code](), code=f"token_{code}")


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # the permission check answers 401 with the scheme to use
        if len(header) != 2:
            raise TokenRefusedError("invalid")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise TokenRefusedError("invalid") from None
        try:
            token = token_find(raw)
        except TokenRefused as exc:
            raise TokenRefusedError(exc.code) from None
        user = token.membership.user
        if not user.is_active:
            raise TokenRefusedError("invalid")
        django_request = request._request
        token_used(token, django_request)
        # The services audit through the plain request: what they record says which token acted.
        django_request.api_token_name = token.name
        django_request.team = token.team
        django_request.membership = token.membership
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
