"""Paging faults: providers that do not page the way their document says.

An emulator with paging keeps a ``paging_fault`` attribute (``None`` after a
reset); tests set it to one of ``PAGING_FAULTS``:

- ``"ignore-paging"``: ``offset``/``page`` is ignored, every request gets the
  first page (and a paginator still says there is more);
- ``"repeat-page"``: paging works up to the second page, then that page comes
  back for every later offset/page.

The clients' paging guard (``providers/paging.py``) must stop on both.
"""

from __future__ import annotations

PAGING_FAULTS = ("ignore-paging", "repeat-page")


def faulty_cursor(fault: str | None, cursor: int, *, first: int, step: int) -> int:
    """The offset or page the emulator serves instead of ``cursor``; ``step`` is one page's worth."""
    if fault is None:
        return cursor
    if fault == "ignore-paging":
        return first
    if fault == "repeat-page":
        return min(cursor, first + step)
    raise ValueError(f"unknown paging fault {fault!r}; one of {', '.join(PAGING_FAULTS)}")
