"""Log-in throttling (django-axes) keyed on the normalised email address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def login_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The email being tried, lower-cased so 'ALICE@x' and 'alice@x' share one counter."""
    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(value).strip().lower()
