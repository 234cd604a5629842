"""Where a webhook may be sent: the project's URL guard (``providers/urlsafety.py``) with a team's URL.

A team admin types the URL, so it is untrusted: ``https://`` only, no user name or password, and
the host must resolve to public addresses only (no private, loopback, link-local, multicast,
reserved or unspecified one). The check runs when the endpoint is saved and again at every
delivery, against the address the connection then uses (the guard connects to the very address
it checked, so a DNS answer that changes in between gains nothing). ``WEBHOOKS_ALLOW_PRIVATE``
(tests, a local demo) also allows ``http://`` and loopback addresses, nothing else.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from providers.urlsafety import IPAddress, Origin, UrlGuard, is_public, refused

PROVIDER = "webhook"


def _resolve(*args: Any) -> list[tuple[Any, ...]]:
    # Looked up at each call, not bound once: the resolver of the moment decides.
    return socket.getaddrinfo(*args)


@dataclass
class WebhookGuard(UrlGuard):
    allow_private: bool = False

    def check_url(self, url: str) -> Origin:
        text = url or ""
        if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in text):
            raise refused(self.provider, "syntax", "the address holds spaces, control characters or backslashes")
        try:
            parts = urlsplit(text)
        except ValueError:
            raise refused(self.provider, "address", "this address is not allowed") from None
        schemes = ("https", "http") if self.allow_private else ("https",)
        if parts.scheme.lower() not in schemes:
            raise refused(self.provider, "scheme", "only https:// addresses are allowed")
        if "@" in parts.netloc:
            raise refused(self.provider, "userinfo", "the address holds a user name or password")
        try:
            origin = Origin.of(text)
        except ValueError:
            raise refused(self.provider, "address", "this address is not allowed") from None
        literal = origin.address
        if literal is not None and not (is_public(literal) or self._allowed_private(literal, literal)):
            raise refused(self.provider, "address", "this address is not allowed")
        return origin

    def _allowed_private(self, address: IPAddress, literal: IPAddress | None) -> bool:
        return self.allow_private and address.is_loopback


def webhook_guard() -> WebhookGuard:
    return WebhookGuard(PROVIDER, resolve=_resolve, allow_private=bool(settings.WEBHOOKS_ALLOW_PRIVATE))


def endpoint_url_check(url: str) -> None:
    """RequestRefused unless ``url`` may be an endpoint now: its form, then every address its host has."""
    guard = webhook_guard()
    origin = guard.check_url(url)
    try:
        guard.addresses(origin.host, origin.port)
    except (socket.gaierror, UnicodeError):
        raise refused(PROVIDER, "unknown_host", "the host name cannot be found") from None
