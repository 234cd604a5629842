"""The database half of a backup: a consistent copy, its row counts and migrations, and its restore.

PostgreSQL: one REPEATABLE READ transaction exports its snapshot; pg_dump dumps exactly that snapshot
(``--snapshot``) while the same transaction counts the rows and reads the applied migrations, so the
manifest describes the dump and not the database a moment later. SQLite: the online backup API copies
the database page by page into a new file, which is then counted. Restores go to the same engine only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient


class DatabaseBackupError(Exception):
    """The database could not be dumped or restored; the message says why (never a password)."""


@dataclass(frozen=True)
class DatabaseSnapshot:
    engine: str  # "postgresql" or "sqlite"
    member: str  # the archive member holding the copy
    row_counts: dict[str, int]
    migrations: dict[str, list[str]]  # app label -> applied migration names


MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
SUPPORTED = tuple(MEMBERS)


def engine_of(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in SUPPORTED:
        raise DatabaseBackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def database_dump(*, connection: BaseDatabaseWrapper, target: Path) -> DatabaseSnapshot:
    """Writes a consistent copy of the database to ``target``."""
    engine = engine_of(connection)
    if engine == "postgresql":
        counts, migrations = _postgres_dump(connection, target)
    else:
        counts, migrations = _sqlite_dump(connection, target)
    return DatabaseSnapshot(engine=engine, member=MEMBERS[engine], row_counts=counts, migrations=migrations)


def database_tables(connection: BaseDatabaseWrapper) -> list[str]:
    return sorted(connection.introspection.table_names())


def database_row_counts(connection: BaseDatabaseWrapper) -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count_rows(cursor, database_tables(connection), connection.ops.quote_name)


def database_restore(*, connection: BaseDatabaseWrapper, engine: str, source: Path) -> None:
    """Replaces the database of ``connection`` (empty, or its tables dropped by restore --replace) with a copy
    made by ``database_dump``, in one transaction: a restore that fails leaves the database as it was."""
    if engine != engine_of(connection):
        raise DatabaseBackupError(
            f"the archive holds a {engine} database and this portal uses {connection.vendor}: "
            "restoring across engines is not supported (restore into the engine the archive was made on)"
        )
    if engine == "postgresql":
        _postgres_restore(connection, source)
    else:
        _sqlite_restore(connection, source)


# --- PostgreSQL -----------------------------------------------------------------------------------


def _postgres_command(program: str, settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The program with its connection options, and its environment: the password travels in PGPASSWORD
    (Django's dbshell mapping, with SSL options and service files), never on the command line."""
    executable = shutil.which(program)
    if not executable:
        raise DatabaseBackupError(f"{program} is not installed (Debian: apt-get install postgresql-client)")
    _, client_env = PostgresClient.settings_to_cmd_args_env(settings_dict, [])
    options = settings_dict.get("OPTIONS", {})
    args = [executable]
    for flag, value in (
        ("-U", settings_dict.get("USER")),
        ("-h", settings_dict.get("HOST")),
        ("-p", settings_dict.get("PORT")),
        ("-d", settings_dict.get("NAME") or options.get("dbname")),
    ):
        if value:
            args += [flag, str(value)]
    env = {**os.environ, **(client_env or {})}
    if options.get("connect_timeout"):
        env["PGCONNECT_TIMEOUT"] = str(options["connect_timeout"])
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # pg_dump and pg_restore never print the password; their own message says what failed.
        raise DatabaseBackupError(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.returncode}")


def _postgres_dump(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        args, env = _postgres_command("pg_dump", connection.settings_dict)
        _run([*args, "--format=custom", f"--snapshot={snapshot}", "--file", str(target)], env)
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = _count_rows(cursor, tables, connection.ops.quote_name)
        migrations = _read_migrations(cursor, tables)
        cursor.execute("COMMIT")
    finally:
        raw.close()
    return counts, migrations


def _postgres_restore(connection: BaseDatabaseWrapper, source: Path) -> None:
    """pg_restore writes the dump as SQL and psql runs it in one transaction that first drops every table
    there is (restore --replace), so the drops roll back with a restore that fails (a lock held by a running
    portal, a full disk). pg_restore's --clean drops the dump's other objects too (a collation a migration
    made would survive the DROP TABLEs)."""
    tables = database_tables(connection)
    connection.close()
    restore_program = shutil.which("pg_restore")
    if not restore_program:
        raise DatabaseBackupError("pg_restore is not installed (Debian: apt-get install postgresql-client)")
    psql, env = _postgres_command("psql", connection.settings_dict)
    script = [restore_program, "--no-owner", "--no-privileges", "--clean", "--if-exists", "--file", "-", str(source)]
    drop = "DROP TABLE IF EXISTS " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE"
    run_script = [*psql, "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction"]
    run_script += ["--command", drop] if tables else []
    with subprocess.Popen(script, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as writer:
        assert writer.stdout is not None
        result = subprocess.run(
            [*run_script, "--file", "-"], stdin=writer.stdout, env=env, capture_output=True, text=True, check=False
        )
        writer.stdout.close()
        written = writer.stderr.read().decode(errors="replace") if writer.stderr else ""
    if result.returncode != 0:  # first: pg_restore then dies of the pipe psql stopped reading
        # psql never prints the password; its own message says what failed. Nothing was committed.
        raise DatabaseBackupError(
            f"psql failed, the database is as it was: {result.stderr.strip() or result.returncode}"
        )
    if writer.returncode != 0:
        raise DatabaseBackupError(f"pg_restore failed: {written.strip() or writer.returncode}")


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_dump(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    if connection.in_atomic_block:
        # The online backup would wait for this connection's own transaction to end, that is forever.
        raise DatabaseBackupError("an SQLite backup cannot run inside a transaction of the same connection")
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        tables = [row[0] for row in cursor.fetchall()]
        counts = _count_rows(cursor, tables, connection.ops.quote_name)
        migrations = _read_migrations(cursor, tables)
    finally:
        copy.close()
    return counts, migrations


def _sqlite_restore(connection: BaseDatabaseWrapper, source: Path) -> None:
    copy = sqlite3.connect(source)
    try:
        connection.ensure_connection()
        copy.backup(connection.connection)
    finally:
        copy.close()


# --- shared ---------------------------------------------------------------------------------------


def _count_rows(cursor: Any, tables: Iterable[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from the catalogue)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _read_migrations(cursor: Any, tables: list[str]) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied
