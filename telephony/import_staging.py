"""CDR import on PostgreSQL: the fitted records ``COPY``-ed into a temporary staging table, then one
``INSERT … SELECT … ON CONFLICT … DO UPDATE … WHERE`` (the stored ``raw_hash``, ``content_hash``) differ.

Why: Django's bulk upsert spends most of an import preparing each value of each model instance
(``Model.__init__``, ``get_db_prep_save``, the arrays of ``UNNEST``); COPY takes the values as they are.
The conflict clause's ``WHERE`` leaves a stored record whose hashes are the same untouched (no new row
version, ``imported_at`` kept), so a re-import of an unchanged window rewrites nothing.
SQLite keeps ``bulk_create(update_conflicts=True)`` (``services.call_records_upsert``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import psycopg
from django.db import connection, transaction
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
        f"WHERE ({table}.raw_hash, {table}.content_hash) IS DISTINCT FROM (EXCLUDED.raw_hash, EXCLUDED.content_hash)"
    )


# (source, provider id, raw_hash, content_hash) of the stored records among the keys given as two arrays, each
# looked up through the unique index: the LIMIT keeps the planner from a hash join that reads every record of the
# account (as it did while the statistics had not yet seen the records just imported).
STORED_HASHES_SQL = (
    "SELECT c.source, c.provider_id, c.raw_hash, c.content_hash "  # noqa: S608 (the table's name from the model)
    "FROM unnest(%s::varchar[], %s::varchar[]) AS k(source, provider_id) CROSS JOIN LATERAL ("
    f"SELECT source, provider_id, raw_hash, content_hash FROM {CallRecord._meta.db_table} "
    "WHERE account_id = %s AND source = k.source AND provider_id = k.provider_id LIMIT 1) c"
)


def stored_hashes(*, account: ProviderAccount, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """The stored hashes of the records of ``account`` among ``keys`` (``STORED_HASHES_SQL``)."""
    sources, provider_ids = [source for source, _id in keys], [pid for _source, pid in keys]
    with transaction.atomic(), connection.cursor() as django_cursor:
        # Bound by the server: Django's cursor would write each array's 5,000 items into the statement's text.
        cursor = psycopg.Cursor(django_cursor.connection)
        # The planner prices each probe of the unique index as if it read many of the account's rows, so 5,000 of
        # them pass jit_above_cost: compiling the plan took 0.46 s of a 0.55 s lookup (EXPLAIN ANALYZE, 50,000
        # stored records), once per batch, most of an unchanged re-import.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(STORED_HASHES_SQL, [sources, provider_ids, account.pk])
        return cursor.fetchall()


def staged_upsert(*, account: ProviderAccount, rows: Sequence[dict[str, Any]], update_fields: Sequence[str]) -> int:
    """Writes ``rows`` (fitted values with their hashes) of ``account``: new ones inserted, changed ones
    updated, unchanged ones left as stored; returns how many were inserted or updated. Runs inside the
    caller's transaction (the staging table is dropped at its end)."""
    fields = tuple(update_fields)
    names, columns, defaults = _columns(fields)
    fixed = {names.index("account"): account.pk, names.index("team"): account.team_id,
             names.index("imported_at"): timezone.now()}  # fmt: skip
    raw_at = names.index("raw")
    name_defaults = tuple(zip(names, defaults, strict=True))
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for its copy API
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {_quoted(columns)} FROM {CallRecord._meta.db_table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {STAGING} ({_quoted(columns)}) FROM STDIN") as copy:
            for fitted in rows:
                get = fitted.get
                row = [get(name, default) for name, default in name_defaults]
                for index, value in fixed.items():
                    row[index] = value
                row[raw_at] = json.dumps(row[raw_at])  # as Django's JSONField writes it
                copy.write_row(row)
        django_cursor.execute(_upsert_sql(fields))  # through Django's cursor: seen by query logging and tests
        written = django_cursor.rowcount
        django_cursor.execute(f"DROP TABLE {STAGING}")
    return written
