"""A page of a list through the portal's one pager (core/lists.py), as the API's envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from core.lists import PER_PAGE_MAX, page_of

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number (1 when not a number; the last when past it)."),
    OpenApiParameter("per_page", OpenApiTypes.INT, description=f"Items per page, 1 to {PER_PAGE_MAX}."),
]


def paged(request: Request, items: QuerySet[Any], *, show: Callable[[Any], dict[str, Any]], per_page: int = 50) -> dict:
    page = page_of(request._request, items, per_page=per_page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next_page": page.next_page_number() if page.has_next() else None,
        "previous_page": page.previous_page_number() if page.has_previous() else None,
        "results": [show(item) for item in page.object_list],
    }
