"""How a delivery is signed: HMAC-SHA256 over ``"<timestamp>.<body>"`` with the endpoint's secret.

The header reads ``Telcoportal-Signature: t=<unix seconds>,v1=<hex digest>``; docs/api.md
("Webhooks") shows the receiver's side. The timestamp is signed too, so a captured request
cannot be replayed later than the receiver's tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

SIGNATURE_HEADER = "Telcoportal-Signature"
EVENT_HEADER = "Telcoportal-Event"
DELIVERY_HEADER = "Telcoportal-Delivery"
SECRET_PREFIX = "whsec_"


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"
