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


def token_matches(authorization: str) -> bool:
    """An ``Authorization`` header's value carries METRICS_TOKEN as a bearer token."""
    token = settings.METRICS_TOKEN
    scheme, _, given = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def address_allowed(address: str) -> bool:
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_IPS)


def is_operator(request: HttpRequest) -> bool:
    """The token, or the peer's own address (REMOTE_ADDR, never a forwarded header a client could write) listed."""
    return token_matches(request.headers.get("Authorization", "")) or address_allowed(
        request.META.get("REMOTE_ADDR", "")
    )
