"""The one guard every paging loop of every provider client goes through.

A provider that ignores ``offset``/``page`` answers the same page forever, and
a loop that trusts "a full page means there is more" never ends (issue 10:
5,000+ requests in 20 s). :func:`paginate` stops, with a warning, when

- a page repeats the previous one (same records, in the same order),
- the next offset/page does not move forward, or
- ``max_pages`` pages were read (the ceiling, documented in docs/providers.md).

Only counts and cursors are logged, never a request or a record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

logger = logging.getLogger("providers.paging")

T = TypeVar("T")

MAX_PAGES = 1000

# fetch(cursor) -> (this page's records, the next cursor, or None when this was the last page)
Fetch = Callable[[int], tuple[Sequence[T], int | None]]


def paginate(fetch: Fetch[T], *, first: int, provider: str, what: str, max_pages: int = MAX_PAGES) -> Iterator[T]:
    """Every record of every page, from cursor ``first`` on, within the guard's limits."""
    if max_pages < 1:
        raise ValueError("max_pages must be one or more")
    cursor = first
    previous: Sequence[T] | None = None
    for number in range(1, max_pages + 1):
        records, following = fetch(cursor)
        if previous is not None and records and list(records) == list(previous):
            _stopped(provider, what, f"page {number} (cursor {cursor}) repeats the previous page", number)
            return
        yield from records
        if following is None:
            return
        if following <= cursor:
            _stopped(provider, what, f"the cursor does not advance ({cursor} -> {following})", number)
            return
        previous, cursor = records, following
    _stopped(provider, what, f"reached the ceiling of {max_pages} pages", max_pages)


def _stopped(provider: str, what: str, reason: str, pages: int) -> None:
    logger.warning("%s: stopped paging %s after %d page(s): %s", provider, what, pages, reason)
