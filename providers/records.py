"""Reading a provider's list record by record: one record that cannot be read never hides the others.

A list whose *shape* is wrong (not a list, not what the document promises) is still an
UnexpectedResponse for the whole answer. A single record of a good list that cannot be read
(an id that is not a number, a time in no known format) is skipped: it is handed to the
caller's ``on_skip`` as a :class:`SkippedRecord`, or only logged when there is no ``on_skip``.
Only the record's id and a short reason are logged, never the record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import UnexpectedResponse

logger = logging.getLogger("providers.records")

T = TypeVar("T")

# What reading one odd record may raise besides UnexpectedResponse (a parser's own slip).
_RECORD_ERRORS = (UnexpectedResponse, ValueError, TypeError, ArithmeticError, KeyError, AttributeError)
_REASON_MAX = 200
_ID_MAX = 100


@dataclass(frozen=True)
class SkippedRecord:
    """A record of a provider's list that could not be read, and why (in our words, safe to show)."""

    provider: str
    what: str  # the list, as the client names it ("telephone history", "fax inbox")
    record_id: str  # the record's own id when it has one we can read as text, else ""
    reason: str
    raw: Any = field(default=None, repr=False, compare=False)


OnSkip = Callable[[SkippedRecord], None]


def read_each(
    items: Iterable[Any],
    parse: Callable[[Any], T],
    *,
    provider: str,
    what: str,
    id_keys: tuple[str, ...] = ("id",),
    on_skip: OnSkip | None = None,
) -> list[T]:
    """``parse`` applied to each item; an item it cannot read is skipped and reported (see the module)."""
    records: list[T] = []
    for item in items:
        try:
            records.append(parse(item))
        except _RECORD_ERRORS as exc:
            skipped = SkippedRecord(provider, what, _record_id(item, id_keys), _reason(exc), item)
            logger.warning("%s: %s record %r skipped: %s", provider, what, skipped.record_id, skipped.reason)
            if on_skip is not None:
                on_skip(skipped)
    return records


def _record_id(item: Any, keys: tuple[str, ...]) -> str:
    if isinstance(item, Mapping):
        for key in keys:
            value = item.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()[:_ID_MAX]
    return ""


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnexpectedResponse):
        text = exc.message
    else:
        text = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
    return text[:_REASON_MAX]
