"""Which browsers a person is signed in from, and "log out other sessions".

Django's session store (database or cache) cannot be searched by user, so each log-in records
its session key here (the user_logged_in signal), with when, from where and which browser.
The list shows only records whose session the store still has, signed in with the current
password (a reset ends the others); logging the others out deletes
their sessions from the store itself (so it works with any session engine) and their records.
Seen-times are refreshed at most every few minutes, and the key follows a password change
(which gives the session a new key) through a marker in the session: no query per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from .audit import audit_for_user
from .models import User, UserSession
from .requests import SignedInRequest
from .throttle import client_address

MARKER = "_user_session"
REFRESH_SECONDS = 300


def _store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key=session_key)
    return store


def session_record(request: HttpRequest, user: User) -> None:
    key = request.session.session_key
    if not key:
        return
    previous = (request.session.get(MARKER) or [None])[0]
    defaults = {
        "user": user,
        "last_seen_at": timezone.now(),
        "ip_address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }
    if previous and previous != key:
        UserSession.objects.filter(session_key=previous, user=user).delete()
    UserSession.objects.update_or_create(session_key=key, defaults=defaults)
    request.session[MARKER] = [key, time.time()]


@receiver(user_logged_in, dispatch_uid="accounts.user_session_login")
def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_record(request, user)


@receiver(user_logged_out, dispatch_uid="accounts.user_session_logout")
def _on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    key = request.session.session_key if request is not None and hasattr(request, "session") else None
    if key:
        UserSession.objects.filter(session_key=key).delete()


class UserSessionMiddleware:
    """Refreshes the signed-in session's record now and then (and after its key changed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and request.session.session_key:
            marker = request.session.get(MARKER) or [None, 0.0]
            stale = time.time() - float(marker[1]) > REFRESH_SECONDS
            if marker[0] != request.session.session_key or stale:
                session_record(request, user)
        return self.get_response(request)


def _signed_in(row: UserSession, user: User) -> bool:
    """The store still has the session, and it is still signed in as ``user`` with the current password."""
    data = _store(row.session_key).load()
    return data.get(SESSION_KEY) == str(user.pk) and data.get(HASH_SESSION_KEY) == user.get_session_auth_hash()


def live_sessions(user: User) -> list[UserSession]:
    """The person's recorded sessions that are still signed in (the others are forgotten here)."""
    rows = list(UserSession.objects.filter(user=user).order_by("-last_seen_at"))
    live = [row for row in rows if _signed_in(row, user)]
    gone = [row.pk for row in rows if row not in live]
    if gone:
        UserSession.objects.filter(pk__in=gone).delete()
    return live


def other_sessions_end(*, user: User, current_key: str | None) -> int:
    """Ends every session of ``user`` but ``current_key`` in the session store. Returns how many."""
    rows = list(UserSession.objects.filter(user=user).exclude(session_key=current_key or ""))
    for row in rows:
        _store(row.session_key).delete(row.session_key)
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


class SessionsView(View):
    """Any signed-in person's own sessions (not a team page: it works without a team)."""

    def get(self, request: SignedInRequest) -> HttpResponse:
        context = {"sessions": live_sessions(request.user), "current_key": request.session.session_key}
        return render(request, "accounts/sessions.html", context)

    def post(self, request: SignedInRequest) -> HttpResponse:
        count = other_sessions_end(user=request.user, current_key=request.session.session_key)
        audit_for_user(user=request.user, action="account.sessions_end", request=request, count=count)
        messages.success(request, _("Other sessions logged out: %(count)s.") % {"count": count})
        return redirect("sessions")
