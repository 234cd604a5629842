"""One shape for every error the API answers: ``{"error": {"code", "message", "fields"}}``.

``fields`` maps a field (``recipients.0.phone`` for a nested one) to its messages; it is
present only for invalid input. Retry-After and WWW-Authenticate headers stay as DRF sets them.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = gettext_lazy("The request body is too large.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("The request conflicts with an earlier one.")


class ProviderFailed(exceptions.APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "provider_error"
    default_detail = gettext_lazy("The provider could not be reached.")


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = gettext_lazy("This is no longer available.")


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as ``{"a.0.b": ["message"]}``."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") and not prefix else str(key)
            found.update(flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            found.setdefault(prefix, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                found.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        found.setdefault(prefix, []).append(str(detail))
    return found


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)  # Http404 and PermissionDenied become DRF's
    if response is None:
        return None  # an unexpected error: Django's 500, reported as usual
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten(exc.detail)
        general = fields.pop("", None)
        message = general[0] if general and not fields else _("The request is not valid.")
        if general and fields:
            fields[""] = general
        response.data = error_body("invalid", message, fields)
        return response
    if isinstance(exc, Http404):
        response.data = error_body("not_found", _("Not found."))
        return response
    if isinstance(exc, exceptions.Throttled):
        wait = exc.wait or 1
        response.data = error_body(
            "throttled", _("Too many requests with this token: try again in %(seconds)d s.") % {"seconds": wait}
        )
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = exc.detail
        response.data = error_body(str(code), str(detail if isinstance(detail, str) else exc.default_detail))
        return response
    response.data = error_body("error", str(response.data))
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 404 (``handler404``): an API address that matches no route answers in the API's shape."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return page_not_found(request, exception)
