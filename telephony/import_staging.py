"""CDR import on PostgreSQL: the fitted records ``COPY``-ed into a temporary staging table, then one
``INSERT … SELECT … ON CONFLICT … DO UPDATE … WHERE content_hash IS DISTINCT FROM EXCLUDED.content_hash``.

Why: Django's bulk upsert spends most of an import preparing each value of each model instance
(``Model.__init__``, ``get_db_prep_save``, the arrays of ``UNNEST``); COPY takes the values as they are.
The conflict clause's ``WHERE`` leaves a stored record whose hash is the same untouched (no new row
version, ``imported_at`` kept), so a re-import of an unchanged window rewrites nothing.
SQLite keeps ``bulk_create(update_conflicts=True)`` (``services.call_records_upsert``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import ProviderAccount

from .models import CallRecord

STAGING = "call_import_staging"
# Columns an INSERT must name that no import writes and that have no database default.
_OURS = {"recording": "''", "recording_missing": "false"}


def applies() -> bool:
    return connection.vendor == "postgresql"


@cache
def _columns(update_fields: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Any, ...]]:
    """(field names, their columns, each field's value when a record does not carry it) of a staged row."""
    names = ("account", "source", "provider_id", *update_fields)
    fields = [CallRecord._meta.get_field(name) for name in names]
    columns = tuple(str(field.column) for field in fields)  # type: ignore[union-attr]
    defaults = tuple(field.get_default() for field in fields)  # type: ignore[union-attr]
    return names, columns, defaults


def _quoted(columns: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


@cache
def _upsert_sql(update_fields: tuple[str, ...]) -> str:
    _names, columns, _defaults = _columns(update_fields)
    unique = ('"account_id"', '"source"', '"provider_id"')
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns[3:])
    table = CallRecord._meta.db_table
    return (
        f"INSERT INTO {table} ({_quoted(columns)}, {_quoted(_OURS)}) "  # noqa: S608 (names from the model)
        f"SELECT {_quoted(columns)}, {', '.join(_OURS.values())} FROM {STAGING} "
        f"ON CONFLICT ({', '.join(unique)}) DO UPDATE SET {updates} "
        f"WHERE {table}.content_hash IS DISTINCT FROM EXCLUDED.content_hash"
    )


def staged_upsert(
    *, account: ProviderAccount, rows: Sequence[tuple[dict[str, Any], str]], update_fields: Sequence[str]
) -> int:
    """Writes ``rows`` (fitted values, their hash) of ``account``: new ones inserted, changed ones updated,
    unchanged ones left as stored; returns how many were inserted or updated. Runs inside the caller's
    transaction (the staging table is dropped at its end)."""
    fields = tuple(update_fields)
    names, columns, defaults = _columns(fields)
    fixed = {names.index("account"): account.pk, names.index("team"): account.team_id,
             names.index("imported_at"): timezone.now()}  # fmt: skip
    digest_at, raw_at = names.index("content_hash"), names.index("raw")
    name_defaults = tuple(zip(names, defaults, strict=True))
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for its copy API
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {_quoted(columns)} FROM {CallRecord._meta.db_table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {STAGING} ({_quoted(columns)}) FROM STDIN") as copy:
            for fitted, digest in rows:
                get = fitted.get
                row = [get(name, default) for name, default in name_defaults]
                for index, value in fixed.items():
                    row[index] = value
                row[digest_at] = digest
                row[raw_at] = json.dumps(row[raw_at])  # as Django's JSONField writes it
                copy.write_row(row)
        django_cursor.execute(_upsert_sql(fields))  # through Django's cursor: seen by query logging and tests
        written = django_cursor.rowcount
        django_cursor.execute(f"DROP TABLE {STAGING}")
    return written
