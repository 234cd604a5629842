"""Log-in throttling (django-axes): per account and address, and per address over every account;
and a counter in the cache for other requests worth limiting (password reset)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timesince


def login_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The email being tried, lower-cased so 'ALICE@x' and 'alice@x' share one counter."""
    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(value).strip().lower()


def client_address(request: HttpRequest) -> str | None:
    """The client's address as throttling sees it (django-ipware, behind the trusted proxies)."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return address or None


def _recent_attempts() -> Any:
    cool_off = get_cool_off() or timedelta(0)
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)


def address_failures(address: str | None) -> int:
    if not address:
        return 0
    total = _recent_attempts().filter(ip_address=address).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


def address_is_blocked(address: str | None) -> bool:
    return address_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class AddressLimitHandler(AxesDatabaseHandler):
    """Axes' own limit (one account from one address), plus a higher one per address over all accounts."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or address_is_blocked(client_address(request))

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        # Axes decides "locked out" here from its own counter only; the address limit joins it.
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and address_is_blocked(client_address(request)):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def locked_out_emails(emails: Iterable[str]) -> set[str]:
    """Which of ``emails`` cannot log in now because of wrong passwords (from any address)."""
    wanted = [e.lower() for e in emails]
    limit = settings.AXES_FAILURE_LIMIT
    # Axes keeps a row per account, address and browser; the lock counts an account's rows per address.
    per_address = (
        _recent_attempts()
        .filter(username__in=wanted)
        .values("username", "ip_address")
        .annotate(n=Sum("failures_since_start"))
        .filter(n__gte=limit)
    )
    return {row["username"] for row in per_address}


def login_unlock(*, email: str) -> int:
    """Forgets the failed attempts on one account (every address). Returns how many records went."""
    deleted, _ = AccessAttempt.objects.filter(username=email.lower()).delete()
    return deleted


def duration_in_words(delta: timedelta) -> str:
    """'15 minutes' (in the active language) rather than ISO 8601's 'PT15M'."""
    now = timezone.now()
    return timesince(now - delta, now, depth=2)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    context = {
        "cooloff_words": duration_in_words(cool_off) if cool_off else "",
        "by_address": address_is_blocked(client_address(request)),
        "failure_limit": get_failure_limit(request, credentials),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


def within_limit(scope: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Counts one request by ``subject`` in ``scope``; False once more than ``limit`` came within the window.

    The window starts at the first request (a fixed window); the subject is stored hashed.
    """
    key = f"throttle:{scope}:{hashlib.sha256(subject.encode()).hexdigest()}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
