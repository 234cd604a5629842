"""The OpenAPI schema (JSON) and a plain docs page drawn from it on the server: no script, no CDN."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularJSONAPIView

METHODS = ("get", "post", "put", "patch", "delete")


class SchemaView(SpectacularJSONAPIView):
    """``/api/v1/schema/``: the contract, public (it holds no data); the tests check the API against it."""


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": operation.get("operationId", ""),
                    "summary": operation.get("summary", ""),
                    "parameters": operation.get("parameters", []),
                    "body_types": sorted(body),
                    "body_ref": next(
                        (c.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] for c in body.values()), ""
                    ),
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return found


def docs_page(request: HttpRequest) -> HttpResponse:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    return render(
        request,
        "api/docs.html",
        {
            "info": schema.get("info", {}),
            "operations": operations(schema),
            "components": sorted(components.items()),
        },
    )
