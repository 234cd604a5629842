"""Every error form of the Pasifik document, mapped to the error hierarchy in one place.

The document shows errors four ways, and all of them end here:

1. HTTP status codes (its "Errors" table), with bodies it never shows;
2. ``{"id", "code", "description"}`` answers whose ``code`` is not 200, even
   under HTTP 200 (SMS submit, fax submit, fax upload);
3. ``fax/submit`` answering HTTP 200 with ``"id": -1`` "for fault";
4. PBX envelopes ``{"body", "state", "code", "central"}``, decided by
   ``code``/``central`` whatever the HTTP status;

plus the disconnect answer ``{"result": "OK"}``, checked by
:func:`raise_for_disconnect_result`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import requests

from ..errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    UnexpectedResponse,
)
from ..schema import int_or_none, to_text
from ..transport import Transport

# The document's PBX table: code -> (central, state).
PBX_STATES: Final[dict[int, tuple[str, str]]] = {
    200: ("onapi", "PBX OK"),
    412: ("onlin", "PBX OK (No API)"),
    410: ("oflin", "PBX Offline"),
    423: ("noact", "PBX Not Active"),
    404: ("noreg", "PBX Not Register"),
}
PBX_CODE_BY_CENTRAL: Final[dict[str, int]] = {central: code for code, (central, _) in PBX_STATES.items()}

# What each PBX error means for a user, and which error it raises.
PBX_MESSAGES: Final[dict[int, str]] = {
    412: "the PBX is online but its API access is not enabled",
    410: "the PBX is offline",
    423: "the PBX service is not active on this account",
    404: "no PBX is registered to this account",
}
PBX_ERRORS: Final[dict[int, type[ProviderError]]] = {
    412: PermissionDenied,
    410: ProviderUnavailable,
    423: PermissionDenied,
    404: NotFound,
}

# The document's "Errors" table, reworded for a user; used when a body says nothing.
HTTP_MEANINGS: Final[dict[int, str]] = {
    400: "the provider rejected the request as malformed",
    401: "the username or password was refused",
    403: "this account may not use this service",
    404: "not found",
    405: "method not allowed",
    406: "the provider could not answer in the requested format",
    410: "the record has been removed",
    418: "the provider answered 418 (I'm a teapot)",
    429: "too many requests; slow down",
    500: "the provider had an internal error; try again later",
    503: "the provider is offline for maintenance; try again later",
}

_MESSAGE_KEYS = ("description", "message", "detail", "error_description", "error", "state", "result", "msg")


def parse_error_body(response: requests.Response) -> tuple[str, dict[str, list[str]]]:
    """Message and field errors from an error answer, whatever its shape.

    The document shows no error body. Read: ``{"code", "description"}`` (its
    answer shape), ``{"message"}``/``{"detail"}``, field errors as
    ``{"errors": {field: [..]}}`` or Django REST framework's
    ``{field: [..], "non_field_errors": [..]}``, a list of messages, or text.
    """
    body = _decode(response)
    if isinstance(body, Mapping):
        return _message_from_mapping(body) or _fallback(response), _field_errors(body)
    if isinstance(body, list) and body and all(isinstance(item, str) for item in body):
        return "; ".join(body)[:500], {}
    text = "" if body is not None else (response.text or "").strip()
    return text[:500] or _fallback(response), {}


class PasifikTransport(Transport):
    """The shared transport, taught to read Pasifik's errors from bodies too.

    ``raise_for_status`` runs inside the transport's retry loop, so an error
    found in a body is retried or not exactly as its HTTP twin would be.
    """

    def raise_for_status(self, response: requests.Response) -> None:
        body = _json_body(response)
        if isinstance(body, Mapping):
            error = self.error_in_body(body, response)
            if error is not None:
                response.close()
                raise error
            if is_pbx_envelope(body):
                return  # a healthy PBX answer, whatever the HTTP status says
        super().raise_for_status(response)

    def error_for_status(
        self,
        status: int,
        message: str,
        field_errors: dict[str, list[str]] | None = None,
        *,
        retry_after: str | None = None,
    ) -> ProviderError:
        if status == 410:
            return NotFound(self.redactor(message), status_code=status, provider=self.provider)
        if status == 418:
            return UnexpectedResponse(self.redactor(message), status_code=status, provider=self.provider)
        return super().error_for_status(status, message, field_errors, retry_after=retry_after)

    def error_in_body(self, body: Mapping[str, Any], response: requests.Response) -> ProviderError | None:
        if is_pbx_envelope(body):
            return self.pbx_error(body)
        if "id" in body and int_or_none(body.get("id")) == -1:
            message = _message_from_mapping(body) or ""
            if message.strip().upper() in ("", "OK"):
                message = "the provider refused the request (id -1)"
            return InvalidRequest(self.redactor(message), status_code=response.status_code, provider=self.provider)
        code = int_or_none(body.get("code"))
        if code is not None and code >= 400:
            message = _message_from_mapping(body) or HTTP_MEANINGS.get(code, f"error code {code}")
            return self.error_for_status(
                code, message, _field_errors(body), retry_after=response.headers.get("Retry-After")
            )
        return None

    def pbx_error(self, body: Mapping[str, Any]) -> ProviderError | None:
        code = pbx_code(body)
        if code is None or 200 <= code < 300:
            return None
        error_class = PBX_ERRORS.get(code)
        if error_class is None:
            return self.error_for_status(code, _message_from_mapping(body) or f"PBX error {code}")
        message = self.redactor(PBX_MESSAGES[code])
        if error_class is ProviderUnavailable:
            return ProviderUnavailable(message, request_sent=True, status_code=code, provider=self.provider)
        return error_class(message, status_code=code, provider=self.provider)


def raise_for_disconnect_result(transport: Transport, body: Any) -> None:
    """``tel/live/disconnect`` answers ``{"result": "OK"}``; anything else is a refusal."""
    if not isinstance(body, Mapping) or "result" not in body:
        raise transport.unexpected("disconnect answer without a result")
    result = to_text(body.get("result")).strip()
    if result.upper() != "OK":
        raise InvalidRequest(
            transport.redactor(f"the call was not disconnected: {result or 'no reason given'}"),
            status_code=200,  # answered: not our own refusal
            provider=transport.provider,
        )


def is_pbx_envelope(body: Mapping[str, Any]) -> bool:
    return "central" in body or ("body" in body and "code" in body and "state" in body)


def pbx_code(body: Mapping[str, Any]) -> int | None:
    """The PBX code: an error in either ``code`` or ``central`` wins, since both mean trouble."""
    code = int_or_none(body.get("code"))
    central_code = PBX_CODE_BY_CENTRAL.get(to_text(body.get("central")).strip().lower())
    if code is not None and not 200 <= code < 300:
        return code
    if central_code is not None and central_code != 200:
        return central_code
    return code if code is not None else central_code


def _json_body(response: requests.Response) -> Any:
    """The decoded body of a JSON answer, or None (files are never read here)."""
    if "json" not in response.headers.get("Content-Type", "").lower():
        return None
    return _decode(response)


def _decode(response: requests.Response) -> Any:
    try:
        return json.loads(response.content.decode(response.encoding or "utf-8"))
    except (ValueError, UnicodeDecodeError, requests.RequestException):
        return None


def _message_from_mapping(body: Mapping[str, Any]) -> str:
    for key in _MESSAGE_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:500]
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            return "; ".join(value)[:500]
    non_field = body.get("non_field_errors")
    if isinstance(non_field, list) and non_field:
        return "; ".join(str(item) for item in non_field)[:500]
    return ""


def _field_errors(body: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    nested = body.get("errors")
    source: Mapping[str, Any] = nested if isinstance(nested, Mapping) else body
    for name, value in source.items():
        if name in _MESSAGE_KEYS or name in ("code", "id", "non_field_errors"):
            continue
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            errors[str(name)] = list(value)
        elif source is nested and isinstance(value, str):
            errors[str(name)] = [value]
    return errors


def _fallback(response: requests.Response) -> str:
    return HTTP_MEANINGS.get(response.status_code) or response.reason or f"HTTP {response.status_code}"
