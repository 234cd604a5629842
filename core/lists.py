"""List parameters from the query string, bounded, for every list of the portal.

``?per_page=1000000`` once held a web worker for a minute and ``?per_page=-1``
answered 500: a page size outside 1…``PER_PAGE_MAX`` is clamped (too big) or
replaced by the list's default (not a positive number); a page that is not a
number is the first page, one past the end the last. Unknown sort keys are
ignored by django-tables2 itself (it keeps only orderable columns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tables2 import RequestConfig, Table

if TYPE_CHECKING:
    from django.core.paginator import _SupportsPagination

PER_PAGE_MAX = 200
PER_PAGE_PARAM = "per_page"


def page_size(request: HttpRequest, default: int, *, param: str = PER_PAGE_PARAM) -> int:
    """The page size the request asks for, within 1…PER_PAGE_MAX; the default when it asks nonsense."""
    try:
        wanted = int(request.GET.get(param, ""))
    except ValueError:
        return default
    if wanted < 1:
        return default
    return min(wanted, PER_PAGE_MAX)


def _paginator_of_size(size: int) -> type[Paginator]:
    class BoundedPaginator(Paginator):
        # django-tables2 passes the raw ``per_page`` of the query string: the bounded size replaces it.
        def __init__(self, object_list: Any, per_page: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(object_list, size, *args, **kwargs)

    return BoundedPaginator


def paginate_table(request: HttpRequest, table: Table, *, per_page: int) -> Table:
    """Sorting and one page of ``table`` from the request, with the page size bounded."""
    size = page_size(request, per_page, param=table.prefixed_per_page_field)
    RequestConfig(request, paginate={"per_page": size, "paginator_class": _paginator_of_size(size)}).configure(table)
    return table


def page_of(request: HttpRequest, items: QuerySet[Any] | list[Any], *, per_page: int) -> Page:
    """One page of a plain list: a page that is not a number is the first, one past the end the last."""
    paginator = Paginator(items, page_size(request, per_page))
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return paginator.page(max(1, min(number, paginator.num_pages)))


class BoundedPaginationMixin:
    """For ``ListView``: the page size and page from the request through ``page_of``."""

    paginate_by: int
    request: HttpRequest

    def paginate_queryset(
        self, queryset: Any, page_size: int
    ) -> tuple[Paginator[Any], Page[Any], _SupportsPagination[Any], bool]:
        page = page_of(self.request, queryset, per_page=self.paginate_by)
        return page.paginator, page, page.object_list, page.has_other_pages()
