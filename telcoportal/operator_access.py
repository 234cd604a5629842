"""Who may read the operator's endpoints (/metrics, /healthz's detail): a bearer token or listed addresses.

Never public by default: with neither METRICS_TOKEN nor METRICS_ALLOWED_IPS set, nobody may.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def configured() -> bool:
    return bool(settings.METRICS_TOKEN or settings.METRICS_ALLOWED_IPS)


def has_token(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def from_allowed_address(request: HttpRequest) -> bool:
    """The peer's own address (REMOTE_ADDR, never a forwarded header a client could write) in a listed network."""
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_IPS)


def is_operator(request: HttpRequest) -> bool:
    return has_token(request) or from_allowed_address(request)
