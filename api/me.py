"""Who the token is: its team, member, role and scope, and what that lets it do."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import PERMISSIONS

from .base import TeamAPIView
from .permissions import token_can
from .serializers import with_errors


class MeSerializer(serializers.Serializer):
    token = serializers.CharField()
    scope = serializers.CharField()
    expires_at = serializers.DateTimeField()
    team = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())


class MeView(TeamAPIView):
    permission = "view"

    @extend_schema(operation_id="me", summary="The token, its member's current role and what it may do",
                   responses=with_errors({200: MeSerializer}))  # fmt: skip
    def get(self, request: Request) -> Response:
        token = self.token
        return Response(
            {
                "token": token.name,
                "scope": token.scope,
                "expires_at": token.expires_at,
                "team": self.team.name,
                "email": self.user.email,
                "role": self.membership.role,
                "permissions": [p for p in PERMISSIONS if token_can(token, p)],
            }
        )
