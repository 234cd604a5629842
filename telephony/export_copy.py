"""The calls export's CSV on PostgreSQL: ``COPY (SELECT …) TO STDOUT``, the same bytes as the Python path.

Why: passing each of a million rows through Python (labels, country names, the team's zone, formula
escaping, ``csv.writer``) made the export 15× slower than COPY of the same columns. Here the database
writes the finished cells and the worker only copies its output into the file:

- a choice (direction, result, source) is a ``CASE`` over its values, each written as its label in the
  export's language (the labels are looked up here, in Python, once per export);
- the country: a provider's country text is named through a small temporary table built from the team's
  distinct texts, read by a loose index scan of ``call_team_country`` (one index probe per text, not a pass
  over the rows; ``countries.country_name``, once per text); when the text names no country, from the
  callee's calling code through a temporary table of the single-region codes, or for +1, +7 and +44 (where
  phonenumbers reads the whole number) through a table of number prefixes derived from phonenumbers'
  metadata (``region_prefixes``); all that a callee decides is computed once per distinct callee
  (``_callee``); a row whose callee neither settles (a prefix phonenumbers could strip, an odd length) comes
  out of COPY with that callee in an extra first cell, and only such a row is read back and written again
  here, its country named in Python once per distinct number;
- times: ``to_char`` in the team's zone (``SET LOCAL TIME ZONE``), ISO 8601 with the offset as
  ``isoformat`` writes it;
- formula escaping: a ``CASE`` on the first character's code (``ascii``, cheaper than comparing texts) with
  ``core.exports``' own rule;
- empty texts are written as NULL: COPY quotes an empty string (``""``) where ``csv.writer`` writes nothing;
- COPY ends a row with ``\\n``, ``csv.writer`` with ``\\r\\n``: PostgreSQL sends one row per message,
  so each row's last byte is replaced as it is copied.

``tests/telephony/test_export_copy.py`` writes a mix of rows both ways and compares the bytes.
XLSX keeps the Python path (its cells are XML with typed values, not CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import UTC
from functools import lru_cache
from typing import IO, Any

from django.db import connection
from django.db.models import F, QuerySet

from core import exports, phones
from core.collation import C

from . import export, region_prefixes
from .countries import reader_language, region_name, region_of
from .models import CallRecord, Direction, Disposition, Source

# The columns the inner query hands over (selectors.EXPORT_FIELDS' sources), by their names in its SELECT.
_SOURCE = ("id", "start", "answer", "end", "duration", "billed_seconds", "caller", "callee", "direction",
           "disposition", "cost", "country", "description", "source", "provider_id", "has_recording")  # fmt: skip
# A callee whose region its calling code alone settles: "+", the code, then 4 to 15 digits (phonenumbers
# parses any such number, and a single-region code names its region whatever follows).
_DIGITS_ONLY = r"^\+[0-9]+$"
_NATIONAL_LENGTHS = (4, 15)


def applies(file_format: str) -> bool:
    return file_format == "csv" and connection.vendor == "postgresql"


def _literal(value: str) -> str:
    """A SQL string literal in a statement sent with parameters (standard_conforming_strings is on)."""
    if "\x00" in value:
        raise ValueError("NUL in an export label")
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"  # "%%": the statement goes with parameters


def _escaped(column: str) -> str:
    """``core.exports.csv_text`` in SQL: a text starting like a formula gets a leading ``'``; empty is NULL."""
    starts = ", ".join(str(ord(start)) for start in exports.FORMULA_STARTS)  # ascii(): the first character's code
    return (
        f"CASE WHEN ascii({column}) IN ({starts}) AND {column} !~ {_literal(exports.PLAIN_NUMBER_SQL)} "
        f"THEN '''' || {column} ELSE NULLIF({column}, '') END"
    )


def _labels(column: str, choices: type[Direction] | type[Disposition] | type[Source]) -> str:
    whens = " ".join(
        f"WHEN {_literal(value)} THEN {_literal(exports.csv_text(str(label)))}" for value, label in choices.choices
    )
    return f"CASE {column} {whens} ELSE NULLIF({column}, '') END"


def _time(column: str) -> str:
    return f"""to_char({column}, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')"""


def _inner(queryset: QuerySet[CallRecord]) -> tuple[str, tuple[Any, ...]]:
    query = queryset.order_by().annotate(account_label=F("account__label")).values(*_SOURCE, "account_label")
    sql, params = query.query.sql_with_params()
    return sql, tuple(params)


def _fast_callee(callee: str) -> str:
    low, high = _NATIONAL_LENGTHS
    return (
        f"(p.name IS NOT NULL AND {callee} ~ {_literal(_DIGITS_ONLY)} "
        f"AND length({callee}) - 1 - p.code_length BETWEEN {low} AND {high})"
    )


def _prefixed_callee(callee: str) -> str:
    """A +1, +7 or +44 callee the prefix table names (``region_prefixes``): its first digits and its length
    found there, and digits only."""
    return f"(n.length IS NOT NULL AND {callee} ~ {_literal(_DIGITS_ONLY)})"


def _callee(prefixes: bool) -> str:
    """What a row's callee alone decides, once per distinct callee (a lateral subquery the planner memoizes on
    the callee, read once as ``v.callee`` so that it is the cache's one key; an office calls the same numbers
    again): its cell, the country its calling code or its prefix names (NULL when none: the provider's text is
    shown), and whether only phonenumbers can name it."""
    placed, named = (_prefixed_callee("v.callee"), "n.name") if prefixes else ("false", "NULL")
    fast = _fast_callee("v.callee")
    prefixed = (
        "LEFT JOIN export_number_prefixes n ON n.prefix = substr(v.callee, 2, p.width) "
        "AND n.length = octet_length(v.callee) "
        if prefixes
        else ""
    )
    return (
        f"SELECT {_escaped('v.callee')} AS cell, "  # noqa: S608 (our SQL, as in _select)
        f"CASE WHEN {fast} THEN p.name WHEN {placed} THEN {named} END AS name, "
        f"v.callee LIKE '+%%' AND NOT {fast} AND NOT {placed} AS odd "
        "FROM (VALUES (c.callee)) AS v (callee) "
        "LEFT JOIN export_calling_codes p ON p.prefix = substr(v.callee, 2, 3) "
        f"{prefixed}OFFSET 0"  # not pulled up into the outer query: evaluated per callee, not per row
    )


def _select(inner: str, *, texts: bool = True, prefixes: bool = True) -> str:
    """The export's SELECT, with one cell before the export's own: the callee when only phonenumbers can name
    the row's country (see ``_named_again``), else NULL. ``texts``, ``prefixes``: whether the country texts'
    and the +1/+7/+44 prefixes' tables have rows (one with none is not joined: at 1,000,000 rows a lookup per
    row that always missed cost about as much as the COPY)."""
    yes, no = (exports.csv_text(exports.yes_no(flag)) for flag in (True, False))
    text_name, text_shown = ("t.name", "t.shown") if texts else ("NULL", "NULL")
    cells = [
        f"CASE WHEN {text_name} IS NULL AND k.odd THEN c.callee END",
        "c.id",
        _time("c.start"),
        _time("c.answer"),
        _time('c."end"'),
        "c.duration",
        "c.billed_seconds",
        _escaped("c.caller"),
        "k.cell",
        _labels("c.direction", Direction),
        _labels("c.disposition", Disposition),
        "c.cost",
        # A region without a name ("001", the non-geographic codes) is named "": kept, so that COALESCE stops there.
        f"NULLIF(COALESCE({text_name}, k.name, {text_shown}), '')",
        _escaped("c.description"),
        _labels("c.source", Source),
        _escaped("c.provider_id"),
        _escaped("c.account_label"),
        f"CASE WHEN c.has_recording THEN {_literal(yes)} ELSE {_literal(no)} END",
    ]
    return (
        f"SELECT {', '.join(cells)} FROM ({inner}) c "  # noqa: S608 (our SQL; values are parameters or _literal)
        + ("LEFT JOIN export_country_texts t ON t.text = c.country " if texts else "")
        + f"LEFT JOIN LATERAL ({_callee(prefixes)}) k ON true "
        + "ORDER BY c.start DESC, c.id DESC"
    )


def _calling_codes(language: str) -> list[tuple[str, int, str | None, int | None]]:
    """(the first three digits after "+", the code's length, the region's name as a cell, None) of every
    calling code that names one region; codes are prefix-free, so three digits name at most one. A +1, +7 or +44
    callee's row has no name but the digits after "+" its prefix table reads (``region_prefixes.table_width``)."""
    rows: list[tuple[str, int, str | None, int | None]] = []
    for code, region in phones.single_region_calling_codes().items():
        name = exports.csv_text(region_name(region, language))
        rows.extend((prefix, len(str(code)), name, None) for prefix in _three_digits(code))
    for code in region_prefixes.CODES:
        width = region_prefixes.table_width(code)
        rows.extend((prefix, len(str(code)), None, width) for prefix in _three_digits(code))
    return rows


def _three_digits(code: int) -> list[str]:
    digits = str(code)
    free = 3 - len(digits)
    return [f"{digits}{n:0{free}d}" for n in range(10**free)] if free else [digits]


@lru_cache(maxsize=4)
def _number_prefixes(language: str) -> tuple[tuple[str, int, str | None], ...]:
    """(a +1/+7/+44 number's first digits after "+", its length, its country's name as a cell or None when
    phonenumbers names no region): ``region_prefixes.rows``, named once per region (kept: 36,000 rows)."""
    names: dict[str, str | None] = {"": None}
    for region in region_prefixes.regions():
        names[region] = exports.csv_text(region_name(region, language))
    return tuple((prefix, length, names[region]) for prefix, length, region in region_prefixes.rows())


# The team's distinct country texts, one probe of call_team_country each (a loose index scan), not a pass
# over its rows: a superset of the export's texts, as the export may be filtered.
_TEAM_TEXTS = """
WITH RECURSIVE texts(text) AS (
    SELECT min(country) FROM telephony_callrecord WHERE team_id = %(team)s AND country <> ''
    UNION ALL
    SELECT (SELECT min(country) FROM telephony_callrecord
            WHERE team_id = %(team)s AND country <> '' AND country > texts.text)
    FROM texts WHERE texts.text IS NOT NULL
)
SELECT text FROM texts WHERE text IS NOT NULL
"""


def _tables(cursor: Any, team_id: int, language: str) -> tuple[bool, bool]:
    """The three small tables the country column is read from, dropped at the end of the transaction; whether
    the country texts' and the number prefixes' tables have rows."""
    cursor.execute(
        "CREATE TEMP TABLE export_country_texts (text text PRIMARY KEY, name text, shown text) ON COMMIT DROP;"
        # The prefixes in the callee's own collation (byte order, "C"): under another one a comparison with the
        # callee could not use their index, and each distinct callee read both tables whole.
        f'CREATE TEMP TABLE export_calling_codes (prefix text COLLATE "{C}" PRIMARY KEY, code_length int, name text, '
        "width int) ON COMMIT DROP;"
        f'CREATE TEMP TABLE export_number_prefixes (prefix text COLLATE "{C}", length int, name text, '
        "PRIMARY KEY (prefix, length)) ON COMMIT DROP"
    )
    _copy_in(cursor, "export_calling_codes (prefix, code_length, name, width)", _calling_codes(language))
    prefixes = _number_prefixes(language)
    _copy_in(cursor, "export_number_prefixes (prefix, length, name)", prefixes)
    cursor.execute(_TEAM_TEXTS, {"team": team_id})
    texts = []
    for (text,) in cursor.fetchall():
        region = region_of(text)
        name = exports.csv_text(region_name(region, language)) if region else None
        shown = exports.csv_text(text.title() if text.isupper() else text)  # countries.country_name's fallback
        texts.append((text, name, shown or None))
    _copy_in(cursor, "export_country_texts (text, name, shown)", texts)
    cursor.execute("ANALYZE export_country_texts; ANALYZE export_calling_codes; ANALYZE export_number_prefixes")
    return bool(texts), bool(prefixes)


_NO_CALLEE = ord(",")  # a row starting with an empty cell: SQL wrote all of it
_BUFFER = 65536

# Where the country is in a row of the COPY's output, after the callee cell ``_select`` puts first.
_COUNTRY = 1 + _SOURCE.index("country")  # the export's cells follow the inner query's columns


def _named_again(row: str, names: dict[str, str | None], language: str) -> bytes:
    """A row whose callee only phonenumbers places (the cell ``_select`` puts first): read back, its country
    named from the callee (else it keeps the provider's text as SQL wrote it) and written as ``core.exports``
    writes a row. The cells are what COPY wrote, which the Python path writes with the same quoting."""
    cells = next(csv.reader(io.StringIO(row, newline="")))
    callee = cells[0]
    if callee not in names:
        region = phones.region_of(callee)
        names[callee] = exports.csv_text(region_name(region, language)) if region else None
    name = names[callee]
    if name is not None:
        cells[_COUNTRY] = name
    return exports.csv_line(cells[1:]).encode()


def _copy_in(cursor: Any, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _header() -> bytes:
    """The byte order mark and the header line, as the Python path writes them (no rows: no time is shown)."""
    return "".join(exports.csv_stream(export.headers(), [], UTC)).encode()


def write_csv(
    target: IO[bytes],
    *,
    queryset: QuerySet[CallRecord],
    team_id: int,
    zone_name: str,
    progress: Callable[[int], object],
    every: int,
) -> int:
    """Writes the export of ``queryset`` (calls of team ``team_id``) into ``target`` as ``core.exports.csv_stream``
    would, in the active language and ``zone_name``; returns the rows written. Must run inside a transaction
    (temporary tables, ``SET LOCAL``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("the COPY export runs inside transaction.atomic()")
    language = reader_language()
    inner, params = _inner(queryset)
    target.write(_header())
    count = 0
    names: dict[str, str | None] = {}  # a callee's country cell, once per number
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for its copy API
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone_name])
        # One pass whose cost is the projection's per-row expressions: compiling them (JIT, which the planner turns
        # on for a table this size) cost more than it saved (the COPY's query at 200,000 rows: 0.88 s without JIT,
        # 1.01 s with it, medians of 5 in one run).
        cursor.execute("SET LOCAL jit = off")
        # Room for the callees' memoized cells (``_callee``): 55,000 distinct callees took 7 MB, and a cache
        # that outgrows hash memory (work_mem × 2) evicts and computes them again.
        cursor.execute("SET LOCAL work_mem = '32MB'")
        texts, prefixes = _tables(cursor, team_id, language)
        select = _select(inner, texts=texts, prefixes=prefixes)
        # The rows gathered in one buffer written every 64 kB: two writes to the file per row cost about a third
        # more of this loop (in-process, 1,000,000 rows), which is most of what the worker adds to the COPY.
        pending = bytearray()
        with cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for count, row in enumerate(copy, 1):  # one row a message, ending "\n"
                if row[0] == _NO_CALLEE:
                    pending += row[1:-1]
                    pending += b"\r\n"
                else:
                    pending += _named_again(bytes(row[:-1]).decode(), names, language)
                if len(pending) >= _BUFFER:
                    target.write(pending)
                    pending.clear()
                if not count % every:
                    progress(count)
        target.write(pending)
        cursor.execute("DROP TABLE export_country_texts, export_calling_codes, export_number_prefixes")
    progress(count)
    return count
