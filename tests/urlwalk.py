"""Walks the whole URLconf so access tests cover every view, new ones included."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Sample values for URL parameters that are not object ids.
SAMPLE_KWARGS = {"kind": "pasifik", "token": "not-a-real-token", "uidb64": "MQ", "export": "calls"}


@dataclass
class Route:
    name: str  # "namespace:name" or the pattern when unnamed
    pattern: str
    callback: Any
    converters: dict[str, str]  # kwarg -> converter type name

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "view_class", None)

    def url(self, **kwargs: Any) -> str:
        path = self.pattern
        for key, value in {**SAMPLE_KWARGS, **kwargs}.items():
            path = re.sub(rf"<(?:\w+:)?{key}>", str(value), path)
        for key in self.converters:
            path = re.sub(rf"<(?:\w+:)?{key}>", "1", path)
        if "<" in path or "(?" in path:
            raise ValueError(f"cannot build a URL for {self.pattern}")
        return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            converters = {k: type(v).__name__ for k, v in getattr(entry.pattern, "converters", {}).items()}
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or pattern)
            yield Route(name=name, pattern=pattern, callback=entry.callback, converters=converters)


API_PREFIX = "api/"
# API routes anyone may read: the contract and its docs hold no team's data.
API_PUBLIC = {"api:schema", "api:docs"}


def is_api(route: Route) -> bool:
    """A REST API route: a token, not a session, signs its requests in (api/authentication.py)."""
    return route.pattern.startswith(API_PREFIX)


def api_methods(route: Route) -> list[str]:
    view = route.view_class
    assert view is not None
    return [m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]


def buildable(route: Route) -> bool:
    try:
        route.url()
    except ValueError:
        return False
    return True
