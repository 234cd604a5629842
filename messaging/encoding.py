"""How many SMS a text costs: GSM 03.38 default, Turkish single shift, or UCS-2.

The character tables live in ``static/messaging/gsm_tables.json`` so the
browser's counter (``sms_counter.js``) reads the very same data; both are
checked against ``tests/messaging/segment_cases.json``.

Lengths are in the alphabet's units: septets for the GSM alphabets (a
character from the extension or shift table costs two, the escape and the
code), UTF-16 code units for UCS-2 (a character outside the BMP costs two).
A part never splits an escape sequence or a surrogate pair.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

TABLES_PATH = Path(__file__).parent / "static" / "messaging" / "gsm_tables.json"

DEFAULT = "Default"
TURKISH = "TurkishSingleShift"
UCS2 = "UCS2"
FLASH = "DefaultMclass0"  # the document's flash SMS: default alphabet, message class 0
ALPHABETS = (DEFAULT, TURKISH, UCS2)  # cheapest first


@dataclass(frozen=True)
class Tables:
    basic: frozenset[str]
    extension: frozenset[str]
    turkish_shift: frozenset[str]
    limits: dict[str, tuple[int, int]]
    lookalikes: dict[str, str]


@cache
def tables_data() -> dict[str, Any]:
    """The tables' file as read, once per process (the compose page hands it to its counter script as is)."""
    data: dict[str, Any] = json.loads(TABLES_PATH.read_text(encoding="utf-8"))
    return data


@cache
def tables() -> Tables:
    data = tables_data()
    return Tables(
        basic=frozenset(c for c in data["basic"] if c is not None),
        extension=frozenset(data["extension"].values()),
        turkish_shift=frozenset(data["turkish_single_shift"].values()),
        limits={name: (v["single"], v["part"]) for name, v in data["limits"].items()},
        lookalikes=dict(data["lookalikes"]),
    )


@dataclass(frozen=True)
class Segments:
    alphabet: str
    characters: int  # what a person counts: code points
    units: int  # septets or UTF-16 code units, the operator reserve included
    parts: int
    per_part: int  # the limit that applied: single-message or per-part
    remaining: int  # units left in the last part before another part starts
    costly: tuple[str, ...] = field(default_factory=tuple)  # characters that forced a costlier alphabet


def unit_widths(text: str, alphabet: str) -> list[int] | None:
    """Each character's width in ``alphabet``, or None when the alphabet cannot carry the text."""
    t = tables()
    if alphabet == UCS2:
        return [2 if ord(c) > 0xFFFF else 1 for c in text]
    shifted = t.turkish_shift if alphabet == TURKISH else t.extension
    widths = []
    for c in text:
        if c in t.basic:
            widths.append(1)
        elif c in shifted:
            widths.append(2)
        else:
            return None
    return widths


def count_parts(widths: list[int], alphabet: str, reserve: int = 0) -> tuple[int, int, int]:
    """(parts, limit per part, units left in the last part); ``reserve`` one-unit characters are appended.

    An empty text is no message at all: 0 parts, whatever the reserve.
    """
    single, part = tables().limits[alphabet]
    if not widths:
        return 0, single, single - reserve
    widths = widths + [1] * reserve
    total = sum(widths)
    if total <= single:
        return 1, single, single - total
    parts, used = 1, 0
    for width in widths:
        if used + width > part:  # an escape pair or surrogate pair moves whole to the next part
            parts += 1
            used = 0
        used += width
    return parts, part, part - used


def segments(text: str, *, reserve: int = 0, alphabet: str | None = None) -> Segments:
    """The cheapest alphabet for ``text`` (or the one given) and what it costs."""
    candidates = (alphabet,) if alphabet else ALPHABETS
    best: Segments | None = None
    for name in candidates:
        widths = unit_widths(text, name)
        if widths is None:
            continue
        parts, per_part, remaining = count_parts(widths, name, reserve)
        if best is None or parts < best.parts:
            best = Segments(name, len(text), sum(widths) + reserve, parts, per_part, remaining)
    if best is None:  # only when a GSM alphabet was forced: UCS-2 carries everything
        return segments(text, reserve=reserve, alphabet=UCS2)
    return replace(best, costly=costly_characters(text))


def costly_characters(text: str) -> tuple[str, ...]:
    """Characters outside the GSM default alphabet (and its extension), in order of first use."""
    t = tables()
    seen: dict[str, None] = {}
    for c in text:
        if c not in t.basic and c not in t.extension:
            seen.setdefault(c)
    return tuple(seen)


def replace_lookalikes(text: str) -> str:
    """Curly quotes, no-break and thin spaces, long dashes… become their GSM twins."""
    lookalikes = tables().lookalikes
    return "".join(lookalikes.get(c, c) for c in text)


def fits(text: str, alphabet: str) -> bool:
    return unit_widths(text, alphabet) is not None
