"""The API's view class: the token's team and member, the permission table, JSON in and out, a body limit.

Like ``accounts.access.TeamView`` for pages: a view declares ``permission`` (or
``permissions_by_method``) and, when its URL carries an object id, ``team_model``;
``get_team_object`` starts from the token's team, so another team's object is a 404.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Membership, Team, User

from .authentication import TokenAuthentication
from .errors import PayloadTooLarge
from .models import ApiToken
from .permissions import TokenPermission
from .throttling import TokenRateThrottle


class JsonOnly(DefaultContentNegotiation):
    """Answers are JSON (or the file asked for) whatever ``Accept`` says: no 406 to puzzle a script."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type


class TeamAPIView(APIView):
    permission: ClassVar[str] = "view"
    permissions_by_method: ClassVar[dict[str, str]] = {}
    team_model: ClassVar[type[models.Model] | None] = None
    team_lookup: ClassVar[str] = "team"
    max_body_bytes: ClassVar[int | None] = None  # None: settings.API_MAX_BODY_BYTES

    authentication_classes = [TokenAuthentication]
    permission_classes = [TokenPermission]
    throttle_classes = [TokenRateThrottle]
    parser_classes: Any = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly

    def required_permission(self, method: str) -> str:
        return self.permissions_by_method.get(method.upper(), self.permission)

    @property
    def token(self) -> ApiToken:
        token = self.request.auth
        assert isinstance(token, ApiToken)
        return token

    @property
    def team(self) -> Team:
        return self.token.team

    @property
    def membership(self) -> Membership:
        return self.token.membership

    @property
    def user(self) -> User:
        return self.token.membership.user

    @property
    def django_request(self) -> HttpRequest:
        """The plain request the services take (it carries the token's name for their audit events)."""
        return self.request._request

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        limit = self.max_body_bytes or settings.API_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        super().initial(request, *args, **kwargs)  # authentication, permission and rate first
        if length > limit:
            raise PayloadTooLarge(_("The request body is too large: at most %(limit)d bytes.") % {"limit": limit})

    def team_queryset(self, model: type[models.Model] | None = None) -> models.QuerySet[Any]:
        model = model or self.team_model
        if model is None:
            raise AttributeError(f"{type(self).__name__} needs team_model")
        return model._default_manager.filter(**{self.team_lookup: self.team})

    def get_team_object(self, pk: Any = None, model: type[models.Model] | None = None) -> Any:
        pk = pk if pk is not None else self.kwargs.get("pk")
        try:
            return self.team_queryset(model).get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise Http404 from None
