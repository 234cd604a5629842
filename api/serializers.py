"""Shared serializer pieces: unknown fields refused, the error shape, the page envelope (for the schema)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """A field the API does not know is an error, not silently dropped (a typo would otherwise send)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# Media served by presigned URL (MEDIA_SERVE=presign): the answer once the token was allowed to read it.
PRESIGNED_REDIRECT = "With MEDIA_SERVE=presign: a redirect to a short-lived signed URL of the file in the bucket."
ERROR_TEXTS = {
    400: "The request is not valid (malformed JSON, unknown or wrong fields).",
    401: "No token, or a token that is not valid, revoked or expired.",
    403: "The token's scope or its member's role does not allow this.",
    404: "Not found in the token's team.",
    409: "The idempotency key was used with another request, or its first request is still running.",
    410: "No longer available.",
    413: "The request body is too large.",
    415: "The content type is not accepted.",
    429: "Too many requests with this token (see Retry-After).",
    502: "The provider could not be reached.",
}


def with_errors(ok: dict[Any, Any], *extra: int) -> dict[Any, Any]:
    """``ok`` plus the error answers every operation may give (and the ``extra`` ones), all in the error shape."""
    codes = (400, 401, 403, 404, 413, 415, 429, *extra)
    errors = {code: OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[code]) for code in sorted(set(codes))}
    return {**ok, **errors}


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next_page = serializers.IntegerField(allow_null=True)
    previous_page = serializers.IntegerField(allow_null=True)


def page_serializer(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The envelope of one page of ``item``s (core.lists: ``?page=`` and ``?per_page=``, bounded)."""
    return type(name, (PageSerializer,), {"results": item(many=True)})
