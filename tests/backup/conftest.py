"""A populated portal to back up, and the means to look at a restored copy without the code under test:
its tables counted over a plain connection, its files hashed where they lie."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from accounts.models import ProviderAccount
from tests.factories import AuditEventFactory, MembershipFactory, ProviderAccountFactory, TeamFactory
from tests.messaging.factories import SmsRecipientFactory
from tests.notifications.factories import NotificationFactory
from tests.team_data import team_with_data
from tests.telephony.factories import CallRecordFactory

ROOT = Path(__file__).resolve().parents[2]
RECORDING_BYTES = 3 * 1024 * 1024 + 17  # larger than a read chunk: the archive streams it


@dataclass
class Portal:
    """What the test put in, to compare the restored copy with."""

    credentials: dict[int, dict[str, str]]  # provider account id -> its plaintext credentials


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """The source portal's own media folder (the suite's shared one holds other tests' files)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def portal(transactional_db: None, media_root: Path) -> Portal:
    return portal_populate()


def portal_populate() -> Portal:
    """Two teams with members, provider accounts with encrypted credentials, SMS batches with recipients,
    calls with recordings (one of several megabytes), faxes with documents, audit entries, notifications."""
    for name in ("Ankara", "Izmir"):
        team = TeamFactory(name=name)
        team_with_data(team)
        for _ in range(3):
            MembershipFactory(team=team)
        account = ProviderAccountFactory(
            team=team, kind="pasifik", credentials={"username": f"{name}-api", "password": f"{name}-secret-pass"}
        )
        batch_recipient = SmsRecipientFactory(chunk__batch__team=team, chunk__batch__account=account)
        for _ in range(4):
            SmsRecipientFactory(chunk=batch_recipient.chunk)
        call = CallRecordFactory(account=account, has_recording=True, recording_name="long.wav")
        call.recording.name = default_storage.save(
            f"recordings/{team.pk}/{account.pk}/{call.provider_id}.wav", ContentFile(os.urandom(RECORDING_BYTES))
        )
        call.save(update_fields=["recording"])
        for action in ("sms.send", "fax.send", "provider.update"):
            AuditEventFactory(team=team, action=action)
        NotificationFactory(team=team)
    return Portal(credentials={a.pk: dict(a.credentials) for a in ProviderAccount.objects.all()})


def source_counts() -> dict[str, int]:
    """Every table of the test's database with its rows, counted here, not by the backup code."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def folder_digests(folder: Path) -> dict[str, str]:
    """Every file under a folder (a storage's location) by its storage name, with its SHA-256."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def sqlite_credentials(path: Path) -> dict[int, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT id, credentials FROM accounts_provideraccount").fetchall())


def restored_counts(database_url: str) -> dict[str, int]:
    """Every table of a restored database with its rows (none when the database is still empty)."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return sqlite_counts(path) if path.exists() else {}
    import psycopg

    with psycopg.connect(database_url) as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]


def restored_credentials(database_url: str) -> dict[int, str]:
    """A restored database's provider credentials as stored (encrypted)."""
    if database_url.startswith("sqlite:///"):
        return sqlite_credentials(Path(database_url.removeprefix("sqlite:///")))
    import psycopg

    with psycopg.connect(database_url) as db:
        return dict(db.execute("SELECT id, credentials FROM accounts_provideraccount").fetchall())


def postgres_url(database: str) -> str:
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


def manage(*args: str, database_url: str, media_root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A command of another portal: the production settings on another database and another media folder."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "telcoportal.settings",
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "CREDENTIAL_KEYS": ",".join(settings.CREDENTIAL_KEYS),
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the suite's engine for another portal: a new SQLite file, or a new PostgreSQL one."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'target.sqlite3'}"
    return postgres_url(request.getfixturevalue("postgres_target"))


@pytest.fixture
def postgres_target() -> Iterator[str]:
    """An empty PostgreSQL database beside the test's (its name plus _restore), dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip(f"the PostgreSQL drill needs DATABASE_URL=postgres://… (the database here is {connection.vendor})")
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restore"
    params = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}
    params.pop("cursor_factory", None)
    params.pop("context", None)

    def drop() -> None:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    drop()
