"""One HTTP request of a delivery: signed, through the URL guard, bounded in time and in what it reads.

Redirects are not followed (a 3xx is a failed attempt: following it would send the body and
signature to an address nobody checked). The answer's first ``RESPONSE_READ_LIMIT`` bytes are
read, never more, and an excerpt of them is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from django.conf import settings
from urllib3.exceptions import HTTPError, ReadTimeoutError

from providers.errors import RequestRefused

from .models import Attempt
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header
from .urlsafety import webhook_guard

RESPONSE_READ_LIMIT = 4096
EXCERPT_CHARS = 500
USER_AGENT = "Telcoportal-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    duration_ms: int
    status_code: int | None = None
    response_excerpt: str = ""
    error: str = ""  # an Attempt.Error value; "" when the receiver took it (2xx)
    error_detail: str = ""


def post(*, url: str, body: bytes, secret: str, event_type: str, delivery_id: str) -> Outcome:
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(secret=secret, timestamp=timestamp, body=body),
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
    }
    timeout = (settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_READ_TIMEOUT)
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    with requests.Session() as session:
        webhook_guard().protect(session)
        try:
            with session.post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
            ) as response:
                raw = response.raw.read(RESPONSE_READ_LIMIT, decode_content=True) or b""
                excerpt = raw.decode(response.encoding or "utf-8", errors="replace")[:EXCERPT_CHARS]
                status = response.status_code
        except RequestRefused as exc:
            return Outcome(took(), error=Attempt.Error.REFUSED, error_detail=str(exc)[:300])
        except (requests.Timeout, ReadTimeoutError) as exc:  # the latter while reading the answer's body
            return Outcome(took(), error=Attempt.Error.TIMEOUT, error_detail=_detail(exc))
        except requests.exceptions.SSLError as exc:
            return Outcome(took(), error=Attempt.Error.TLS, error_detail=_detail(exc))
        except (requests.RequestException, HTTPError, OSError) as exc:
            return Outcome(took(), error=Attempt.Error.CONNECTION, error_detail=_detail(exc))
    if 200 <= status < 300:
        return Outcome(took(), status, excerpt)
    error = Attempt.Error.REDIRECT if 300 <= status < 400 else Attempt.Error.STATUS
    return Outcome(took(), status, excerpt, error=error, error_detail=f"HTTP {status}")


def _detail(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
