"""Resolves the current team once per request and activates its time zone;
ends sessions that skipped the second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation

from .models import Membership
from .requests import TeamContextRequest
from .two_factor import PROVIDER_MFA_SESSION_KEY, has_two_factor, session_is_verified

SESSION_KEY = "current_team_id"


def current_membership(request: HttpRequest) -> Membership | None:
    """The member's current team, from one read of all their memberships (kept on ``request.memberships``:
    the team switcher in the navigation lists the same rows)."""
    user = request.user
    memberships: list[Membership] = []
    if user.is_authenticated:
        found = Membership.objects.select_related("team").filter(user=user).order_by("team__name", "team_id")
        memberships = list(found)
    request.memberships = memberships  # type: ignore[attr-defined]
    wanted = request.session.get(SESSION_KEY) if memberships else None
    membership = next((m for m in memberships if m.team_id == wanted), None)
    if membership is None and memberships:
        membership = memberships[0]
        request.session[SESSION_KEY] = membership.team_id
    return membership


class SavedLanguageMiddleware:
    """A person who chose a language sees it in every browser they sign in from.

    The switcher keeps the choice in a cookie (Django's way) and on the user; a
    browser without the cookie gets the saved language, and the cookie with it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        saved = ""
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and request.user.is_authenticated:
            saved = getattr(request.user, "language", "")
        if saved:
            translation.activate(saved)
            request.LANGUAGE_CODE = saved
        response = self.get_response(request)
        if saved:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                saved,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class CurrentTeamMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TeamContextRequest) -> HttpResponse:
        membership = current_membership(request)
        request.membership = membership
        request.team = membership.team if membership else None
        if request.team is not None:
            timezone.activate(request.team.tzinfo)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class TwoFactorSessionMiddleware:
    """A person with two-factor login on must have passed it in this session.

    The portal's own log-in asks for the code before it logs anyone in; this
    catches every other way in (the admin's log-in page, an old session from
    before the device was added) by logging the session out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not session_is_verified(user)
            and has_two_factor(user)
            # A single sign-on whose multi-factor login the team accepts (accounts/sso_views.py).
            and PROVIDER_MFA_SESSION_KEY not in request.session
        ):
            logout(request)
            return redirect("login")
        return self.get_response(request)
