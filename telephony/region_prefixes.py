"""The region phonenumbers gives a +1, +7 or +44 number, as number prefixes derived from its own metadata.

Why: these calling codes name several regions each (the NANP's 25, Russia and Kazakhstan, the United Kingdom
and its Crown Dependencies), and ``phonenumbers.region_code_for_number`` picks one by testing the national
number against each region's patterns. The calls export asked it once per distinct number in Python after the
COPY and wrote each such row again (0.5 s and more at 1,000,000 rows). The patterns are regular expressions
over digits, so the answer for a number of a given length is settled by some prefix of it: ``derive`` turns
every pattern into an automaton and walks the numbers of one length digit by digit until each prefix gives
phonenumbers' answer for all its completions (its rule: the first region, in its order, whose leading digits
match the start, or, for one without leading digits, whose general pattern and one of its type patterns
match the whole number, with their possible lengths). A prefix on which the national prefix for parsing
could match (phonenumbers may strip it, ``"0"`` for +44) gets no answer: such numbers stay with phonenumbers.

The prefixes are kept in ``region_prefixes.json`` with the phonenumbers version they come from, written by
``manage.py region_prefixes``; a test derives them again from the installed version and compares. When the
versions differ the table is empty, so phonenumbers names every number, as before, until it is written again.
"""

from __future__ import annotations

import json
import re._constants as sre  # type: ignore[import-not-found]  # the parsed form of Python regular expressions
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import phonenumbers
from phonenumbers import PhoneMetadata

CODES = (1, 7, 44)
DATA = Path(__file__).with_name("region_prefixes.json")
# The national digits a joined prefix holds: a deeper answer is left to phonenumbers (10,000 rows a length).
TABLE_DEPTH = 4
_DIGITS = "0123456789"
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
          "fixed_line", "mobile")  # fmt: skip
UNSAFE = "?"  # a prefix phonenumbers' parsing could strip: no answer


class _Automaton:
    """A pattern of phonenumbers' metadata as a nondeterministic automaton over digits (Thompson's
    construction). ``whole``: the pattern must match the whole number (``fullmatch``), else a start of it
    (``re.match``); a state set that matched a start is ``MATCHED`` for good."""

    MATCHED: frozenset[int] = frozenset([-1])

    def __init__(self, pattern: str, *, whole: bool) -> None:
        self._moves: list[list[tuple[frozenset[str], int]]] = []
        self._empty: list[list[int]] = []
        self.whole = whole
        start, self._end = self._build(sre_parse.parse(pattern))
        first = self._closure({start})
        self.start = self.MATCHED if not whole and self._end in first else first

    def _state(self) -> int:
        self._moves.append([])
        self._empty.append([])
        return len(self._moves) - 1

    def _link(self, source: int, target: int) -> None:
        self._empty[source].append(target)

    def _build(self, items: Any) -> tuple[int, int]:
        start = current = self._state()
        for op, value in items:
            digits = _digit_set(op, value)
            if digits is not None:
                following = self._state()
                self._moves[current].append((digits, following))
                current = following
            elif op is sre.SUBPATTERN:
                inner_start, inner_end = self._build(value[3])
                self._link(current, inner_start)
                current = inner_end
            elif op is sre.BRANCH:
                end = self._state()
                for alternative in value[1]:
                    inner_start, inner_end = self._build(alternative)
                    self._link(current, inner_start)
                    self._link(inner_end, end)
                current = end
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                current = self._repeat(current, *value)
            else:
                raise ValueError(f"unsupported in a number pattern: {op}")
        return start, current

    def _repeat(self, current: int, low: int, high: Any, items: Any) -> int:
        for _ in range(low):
            inner_start, inner_end = self._build(items)
            self._link(current, inner_start)
            current = inner_end
        if high is sre.MAXREPEAT:
            inner_start, inner_end = self._build(items)
            self._link(current, inner_start)
            self._link(inner_end, current)
            return current
        end = self._state()
        self._link(current, end)
        for _ in range(high - low):
            inner_start, inner_end = self._build(items)
            self._link(current, inner_start)
            current = inner_end
            self._link(current, end)
        return end

    def _closure(self, states: set[int]) -> frozenset[int]:
        seen, todo = set(states), list(states)
        while todo:
            for following in self._empty[todo.pop()]:
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        return frozenset(seen)

    def step(self, states: frozenset[int], digit: str) -> frozenset[int]:
        if states == self.MATCHED:
            return states
        found = self._closure({n for s in states for digits, n in self._moves[s] if digit in digits})
        return self.MATCHED if not self.whole and self._end in found else found

    def accepts(self, states: frozenset[int]) -> bool:
        return self._end in states if self.whole else states == self.MATCHED


def _digit_set(op: Any, value: Any) -> frozenset[str] | None:
    """The digits one item of a parsed pattern reads (a literal, ``[…]``, ``\\d``); None for any other item."""
    if op is sre.LITERAL:
        return frozenset(chr(value)) & frozenset(_DIGITS)
    if op is sre.CATEGORY and value is sre.CATEGORY_DIGIT:
        return frozenset(_DIGITS)
    if op is not sre.IN:
        return None
    found: set[str] = set()
    for inner_op, inner_value in value:
        if inner_op is sre.LITERAL:
            found.add(chr(inner_value))
        elif inner_op is sre.RANGE:
            found.update(chr(c) for c in range(inner_value[0], inner_value[1] + 1))
        elif inner_op is sre.CATEGORY and inner_value is sre.CATEGORY_DIGIT:
            found.update(_DIGITS)
        else:
            raise ValueError(f"unsupported in a number pattern: {inner_op}")
    return frozenset(found) & frozenset(_DIGITS)


def _desc(description: Any, length: int) -> _Automaton | None:
    """``phonenumberutil._is_number_matching_desc`` for numbers of ``length`` digits: None when it cannot match."""
    if description is None or not description.national_number_pattern:
        return None
    if description.possible_length and length not in description.possible_length:
        return None
    return _Automaton(description.national_number_pattern, whole=True)


class _Rule:
    """``phonenumberutil._region_code_for_number_from_list`` (after the national prefix for parsing, which
    ``parse`` may strip) over the product of the automata: ``answer`` of their states at the number's end."""

    def __init__(self, code: int, length: int) -> None:
        main = PhoneMetadata.metadata_for_region(phonenumbers.region_code_for_country_code(code))
        strip = main.national_prefix_for_parsing if main is not None else None
        self.automata: list[_Automaton] = [_Automaton(strip, whole=False)] if strip else []
        self._unsafe = bool(strip)
        self._regions: list[tuple[str, int, int]] = []  # (region, first automaton, automata after the general one)
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]:
            metadata = PhoneMetadata.metadata_for_region(region, None)
            if metadata is None:
                continue
            first = len(self.automata)
            if metadata.leading_digits is not None:
                self.automata.append(_Automaton(metadata.leading_digits, whole=False))
                self._regions.append((region, first, 0))
                continue
            general = _desc(metadata.general_desc, length)
            types = [found for name in _TYPES if (found := _desc(getattr(metadata, name), length)) is not None]
            if general is not None and types:
                self.automata.extend([general, *types])
                self._regions.append((region, first, len(types)))

    def start(self) -> tuple[frozenset[int], ...]:
        return tuple(automaton.start for automaton in self.automata)

    def step(self, states: tuple[frozenset[int], ...], digit: str) -> tuple[frozenset[int], ...]:
        return tuple(automaton.step(s, digit) for automaton, s in zip(self.automata, states, strict=True))

    def answer(self, states: Sequence[frozenset[int]]) -> str:
        if self._unsafe and self.automata[0].accepts(states[0]):
            return UNSAFE
        for region, first, types in self._regions:
            if not self.automata[first].accepts(states[first]):
                continue
            if not types or any(self.automata[n].accepts(states[n]) for n in range(first + 1, first + 1 + types)):
                return region
        return ""


def derive(code: int, length: int) -> dict[str, str]:
    """{national prefix: phonenumbers' region for every national number of ``length`` digits starting so}:
    the prefixes cover every such number, none starts another; "" names no region, ``UNSAFE`` no answer."""
    rule = _Rule(code, length)
    answers: dict[tuple[tuple[frozenset[int], ...], int], frozenset[str]] = {}

    def possible(states: tuple[frozenset[int], ...], left: int) -> frozenset[str]:
        key = (states, left)
        if key not in answers:
            if left == 0:
                answers[key] = frozenset([rule.answer(states)])
            else:
                answers[key] = frozenset().union(*(possible(rule.step(states, d), left - 1) for d in _DIGITS))
        return answers[key]

    prefixes: dict[str, str] = {}
    todo = [("", rule.start())]
    while todo:
        prefix, states = todo.pop()
        found = possible(states, length - len(prefix))
        if len(found) == 1:
            prefixes[prefix] = next(iter(found))
        else:
            todo.extend((prefix + d, rule.step(states, d)) for d in _DIGITS)
    return dict(sorted(prefixes.items()))


def lengths(code: int) -> tuple[int, ...]:
    """The national lengths the code's main region can have (``general_desc``): the ones the table holds."""
    main = PhoneMetadata.metadata_for_region(phonenumbers.region_code_for_country_code(code))
    general = main.general_desc if main is not None else None
    return tuple(sorted(general.possible_length)) if general is not None else ()


def derived() -> dict[str, Any]:
    """What ``region_prefixes.json`` holds, derived from the installed phonenumbers."""
    return {
        "phonenumbers": phonenumbers.__version__,
        "prefixes": {str(code): {str(length): derive(code, length) for length in lengths(code)} for code in CODES},
    }


@lru_cache(maxsize=1)
def _stored() -> dict[str, dict[str, dict[str, str]]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    if data.get("phonenumbers") != phonenumbers.__version__:
        return {}  # derived from another version: phonenumbers names every number until it is written again
    prefixes: dict[str, dict[str, dict[str, str]]] = data["prefixes"]
    return prefixes


def table_width(code: int) -> int:
    """The digits after "+" a row of ``rows`` holds for ``code``: the code's and at most ``TABLE_DEPTH`` more."""
    by_length = _stored().get(str(code), {})
    deepest = max((len(p) for prefixes in by_length.values() for p in prefixes), default=0)
    return len(str(code)) + min(deepest, TABLE_DEPTH)


def rows() -> Iterator[tuple[str, int, str]]:
    """(the number's first ``table_width`` digits after "+", the number's length with its "+", the region or
    "" for none) for every number of a stored length whose answer so short a prefix settles."""
    for code_text, by_length in _stored().items():
        width = table_width(int(code_text)) - len(code_text)
        for length_text, prefixes in by_length.items():
            length = 1 + len(code_text) + int(length_text)
            for prefix, region in prefixes.items():
                if region == UNSAFE or len(prefix) > width:
                    continue
                free = width - len(prefix)
                for n in range(10**free):
                    yield f"{code_text}{prefix}{n:0{free}d}" if free else code_text + prefix, length, region


def regions() -> set[str]:
    """The regions the table names."""
    found: set[str] = set()
    for by_length in _stored().values():
        for prefixes in by_length.values():
            found.update(prefixes.values())
    return found - {"", UNSAFE}


def region_of(number: str) -> str | None:
    """The region ``rows`` gives an E.164 ``number`` ("" for none); None when the table has no answer for it."""
    if not number.startswith("+") or not number[1:].isascii() or not number[1:].isdigit():
        return None
    for code_text, by_length in _stored().items():
        if number[1:].startswith(code_text):
            prefixes = by_length.get(str(len(number) - 1 - len(code_text)), {})
            national = number[1 + len(code_text) :]
            width = table_width(int(code_text)) - len(code_text)
            for depth in range(width + 1):
                region = prefixes.get(national[:depth])
                if region is not None:
                    return None if region == UNSAFE else region
    return None


def write() -> Path:
    """Writes ``region_prefixes.json`` from the installed phonenumbers (``manage.py region_prefixes``)."""
    DATA.write_text(json.dumps(derived(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    _stored.cache_clear()
    return DATA
