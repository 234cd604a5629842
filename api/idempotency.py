"""``Idempotency-Key``: a retried POST gets the first answer and does nothing again.

The first request with a key stores a row (token, key) before it acts; a second
request with the same key and the same body gets the stored answer, with another
body (or on another endpoint) a 409, and while the first is still running a 409 too.
An answer that is an error of the request itself (4xx) is stored as well: the same
request would get it again. A crash while acting forgets the key, so a retry acts.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import Conflict, api_exception_handler
from .models import ApiToken, IdempotentRequest, idempotency_keep_days

HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,100}$")  # printable ASCII, no spaces


def _plain(value: Any) -> Any:
    if hasattr(value, "chunks"):  # an uploaded file: its name and content
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return ["file", value.name, digest.hexdigest()]
    return value


def fingerprint(request: Request) -> str:
    """The body as parsed (JSON with sorted keys; a form's fields and its files by their content's hash)."""
    data = request.data
    body = {key: [_plain(v) for v in values] for key, values in data.lists()} if hasattr(data, "lists") else data
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotent(request: Request, token: ApiToken, operation: str, act: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return act()
    if not KEY.match(key):
        raise exceptions.ValidationError(
            {HEADER: [_("An idempotency key is 1 to 100 printable characters without spaces.")]}
        )
    print_ = fingerprint(request)
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                token=token, team=token.team, key=key, operation=operation, fingerprint=print_
            )
    except IntegrityError:
        earlier = IdempotentRequest.objects.get(token=token, key=key)
        if earlier.operation != operation or earlier.fingerprint != print_:
            raise Conflict(
                _("This idempotency key was used with another request: use a new key for a new request."),
                code="idempotency_key_reused",
            ) from None
        if earlier.status_code is None:
            raise Conflict(
                _("A request with this idempotency key is still being handled: try again shortly."),
                code="idempotency_key_in_use",
            ) from None
        replay = Response(earlier.response, status=earlier.status_code)
        replay["Idempotent-Replayed"] = "true"
        return replay
    try:
        response = act()
    except exceptions.APIException as exc:
        handled = api_exception_handler(exc, {})
        if handled is None or handled.status_code >= 500 or handled.status_code == 429:
            record.delete()
            raise
        record.status_code, record.response = handled.status_code, handled.data
        record.save(update_fields=["status_code", "response"])
        raise
    except BaseException:
        record.delete()
        raise
    if response.status_code >= 500:
        record.delete()
        return response
    record.status_code, record.response = response.status_code, response.data
    record.save(update_fields=["status_code", "response"])
    return response


def idempotency_purge() -> int:
    """Forgets the keys older than API_IDEMPOTENCY_KEEP_DAYS (a retry after that would act again)."""
    cutoff = timezone.now() - timedelta(days=idempotency_keep_days())
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
