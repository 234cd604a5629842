"""The one place every team page checks who may do what.

``TeamView`` (a mixin for class-based views):
- login is required (LoginRequiredMiddleware; anonymous users go to the login page);
- a user without a team is sent to create one;
- when the team requires two-factor login, a member whose session did not pass
  it (nor signed in through the team's provider with multi-factor login, when the
  owner lets that count) is sent to turn it on (an htmx request gets a client-side redirect);
- ``permission`` (or ``permissions_by_method``) is checked against the member's
  role: too low a role is a 403;
- ``team_queryset()`` / ``get_team_object()`` start every query from the current
  team, so another team's object is a 404, never a 403.

A later app's views inherit this and join the URL x role x team test matrix
automatically by declaring ``permission`` and, for views with an object id in
the URL, ``team_model``.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from .models import Membership, Team, User
from .requests import TeamRequest, is_team_request
from .two_factor import (
    PENDING_LOGIN_SESSION_KEY,
    PROVIDER_MFA_SESSION_KEY,
    has_two_factor,
    provider_mfa_counts,
    session_is_verified,
)


class TeamView(View):
    permission: ClassVar[str] = "view"
    # e.g. {"POST": "send"} for a page any member reads but only operators submit
    permissions_by_method: ClassVar[dict[str, str]] = {}
    # the model whose id the URL carries; must have a ``team`` foreign key
    team_model: ClassVar[type[models.Model] | None] = None
    team_lookup: ClassVar[str] = "team"

    team_request: TeamRequest  # ``request``, once ``dispatch`` has found its team

    @property
    def team(self) -> Team:
        return self.team_request.team

    @property
    def membership(self) -> Membership:
        return self.team_request.membership

    @property
    def user(self) -> User:
        """The signed-in member."""
        return self.team_request.user

    def required_permission(self, method: str) -> str:
        return self.permissions_by_method.get(method.upper(), self.permission)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_team_request(request):
            return redirect("team-create")
        self.team_request = request
        if (
            self.team.require_two_factor
            and not session_is_verified(self.user)
            and not provider_mfa_counts(request, self.team)
        ):
            return self.two_factor_required(request)
        if not self.membership.can(self.required_permission(request.method or "GET")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def two_factor_required(self, request: HttpRequest) -> HttpResponseBase:
        if PROVIDER_MFA_SESSION_KEY in request.session and has_two_factor(self.user):
            return self.code_step(request)
        messages.warning(
            request,
            _("%(team)s requires two-factor login. Turn it on to continue.") % {"team": self.team.name},
        )
        htmx = getattr(request, "htmx", None)
        # Come back to the page the person was on: for a fragment, the page around it.
        back = request.get_full_path() if request.method == "GET" else None
        if htmx:
            back = htmx.current_url_abs_path
        url = reverse("security") + (f"?{urlencode({'next': back})}" if back else "")
        return HttpResponseClientRedirect(url) if htmx else redirect(url)

    def code_step(self, request: HttpRequest) -> HttpResponseBase:
        """A single sign-on session whose provider's MFA counted for another team: our code, then this page."""
        messages.info(
            request,
            _("%(team)s requires two-factor login: enter the code from your authenticator app.")
            % {"team": self.team.name},
        )
        htmx = getattr(request, "htmx", None)
        back = htmx.current_url_abs_path if htmx else (request.get_full_path() if request.method == "GET" else None)
        request.session[PENDING_LOGIN_SESSION_KEY] = {
            "user": self.user.pk,
            "backend": "django.contrib.auth.backends.ModelBackend",
            "next": back,
            "at": time.time(),
        }
        url = reverse("two-factor-verify")
        return HttpResponseClientRedirect(url) if htmx else redirect(url)

    def team_queryset(self, model: type[models.Model] | None = None) -> models.QuerySet[Any]:
        model = model or self.team_model
        if model is None:
            raise AttributeError(f"{type(self).__name__} needs team_model")
        return model._default_manager.filter(**{self.team_lookup: self.team})

    def get_team_object(self, pk: Any = None, model: type[models.Model] | None = None) -> Any:
        pk = pk if pk is not None else self.kwargs.get("pk")
        try:
            return self.team_queryset(model).get(pk=pk)
        except ObjectDoesNotExist:  # the model's DoesNotExist
            raise Http404 from None
        except (ValueError, TypeError):
            raise Http404 from None

    def get_object(self, queryset: Any = None) -> Any:  # for Django's generic views
        return self.get_team_object()

    def get_queryset(self) -> models.QuerySet[Any]:  # for Django's generic views
        return self.team_queryset()

    def can(self, permission: str) -> bool:
        return self.membership.can(permission)
