"""The drill: a populated portal is backed up, restored into another database and another media folder by
another process, and every table's row count, every file's checksum and every credential are compared.
PostgreSQL (pg_dump, pg_restore) when the suite runs on it; SQLite (the online backup API) otherwise."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from accounts import crypto
from tests.backup.conftest import (
    Portal,
    folder_digests,
    manage,
    portal_populate,
    postgres_url,
    restored_counts,
    restored_credentials,
    source_counts,
    sqlite_counts,
    sqlite_credentials,
)


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())


def _backup(tmp_path: Path) -> Path:
    archive = tmp_path / "portal.tar"
    call_command("backup", str(archive))
    return archive


def test_sqlite_portal_restores_elsewhere_with_every_row_and_file(
    portal: Portal, media_root: Path, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill runs when the suite runs on SQLite (make test-late); PostgreSQL has its own")
    counts, files = source_counts(), folder_digests(media_root)
    archive = _backup(tmp_path)

    target_db, target_media = tmp_path / "elsewhere.sqlite3", tmp_path / "elsewhere-media"
    result = manage("restore", str(archive), database_url=f"sqlite:///{target_db}", media_root=target_media)

    assert result.returncode == 0, result.stderr
    assert "Every table's row count and every file's checksum match the archive" in result.stdout
    assert sqlite_counts(target_db) == counts
    assert counts["accounts_provideraccount"] >= 6 and counts["messaging_smsrecipient"] >= 10
    assert folder_digests(target_media) == files
    assert len(files) >= 10 and any(name.endswith(".pdf") for name in files)
    restored = {pk: crypto.decrypt_json(token) for pk, token in sqlite_credentials(target_db).items()}
    assert restored == portal.credentials
    manifest = _manifest(archive)
    assert manifest["database"]["engine"] == "sqlite" and manifest["tables"] == counts


def test_postgres_portal_restores_elsewhere_with_every_row_and_file(
    portal: Portal, media_root: Path, tmp_path: Path, postgres_target: str
) -> None:
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (Debian: postgresql-client)")
    counts, files = source_counts(), folder_digests(media_root)
    archive = _backup(tmp_path)

    target_media = tmp_path / "elsewhere-media"
    result = manage("restore", str(archive), database_url=postgres_url(postgres_target), media_root=target_media)

    assert result.returncode == 0, result.stderr
    assert restored_counts(postgres_url(postgres_target)) == counts
    tokens = restored_credentials(postgres_url(postgres_target))
    assert counts["accounts_provideraccount"] >= 6 and counts["messaging_smsrecipient"] >= 10
    assert folder_digests(target_media) == files
    assert {pk: crypto.decrypt_json(token) for pk, token in tokens.items()} == portal.credentials
    manifest = _manifest(archive)
    assert manifest["database"]["engine"] == "postgresql" and manifest["tables"] == counts
    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "database.pgdump"
        head = tar.extractfile("database.pgdump")
        assert head is not None and head.read(5) == b"PGDMP"  # pg_dump's custom format


def test_a_portal_on_s3_restores_into_another_bucket(
    transactional_db: None, s3: Any, settings: Any, empty_database_url: str, tmp_path: Path
) -> None:
    """The same drill with media in an S3 bucket (the S3-compatible server of tests/s3_server.py): the backup
    reads the bucket and the restore, by another process, writes a new bucket, through the storage API."""
    source, target = f"source-{uuid.uuid4().hex[:12]}", f"restored-{uuid.uuid4().hex[:12]}"
    s3.bucket_create(source)
    s3.bucket_create(target)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3.storage_options(source)},
    }
    portal = portal_populate()
    counts = source_counts()
    source_files = {key: hashlib.sha256(s3.get(source, key)).hexdigest() for key in s3.keys(source)}
    archive = _backup(tmp_path)

    result = manage(
        "restore",
        str(archive),
        database_url=empty_database_url,
        media_root=tmp_path / "unused",
        **s3.environment(target),
    )

    assert result.returncode == 0, result.stderr
    assert restored_counts(empty_database_url) == counts
    tokens = restored_credentials(empty_database_url)
    assert {key: hashlib.sha256(s3.get(target, key)).hexdigest() for key in s3.keys(target)} == source_files
    assert len(source_files) >= 10 and not (tmp_path / "unused").exists()
    assert {pk: crypto.decrypt_json(token) for pk, token in tokens.items()} == portal.credentials


def test_a_postgres_backup_is_one_snapshot_while_the_portal_writes(
    transactional_db: None, media_root: Path, tmp_path: Path, postgres_target: str
) -> None:
    """Rows written by another connection while pg_dump runs are in neither the dump nor the manifest's counts:
    the restore, which recounts every table against the manifest, agrees exactly."""
    import threading

    from django.db import connections

    from accounts.models import AuditEvent, Team

    team = Team.objects.create(name="Busy")
    stop, during = threading.Event(), []

    def write() -> None:
        try:
            while not stop.is_set():
                AuditEvent.objects.create(team_id=team.pk, action="sms.send")
                during.append(1)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(during) < 5:  # the writer is writing before the backup starts
            threading.Event().wait(0.01)
        archive = _backup(tmp_path)
        written_by_then = len(during)
    finally:
        stop.set()
        writer.join()
    manifest = _manifest(archive)

    result = manage("restore", str(archive), database_url=postgres_url(postgres_target), media_root=tmp_path / "m")

    assert result.returncode == 0, result.stderr
    assert 5 <= manifest["tables"]["accounts_auditevent"] <= written_by_then
    assert (
        restored_counts(postgres_url(postgres_target))["accounts_auditevent"]
        == manifest["tables"]["accounts_auditevent"]
    )
    assert AuditEvent.objects.count() == len(during) > manifest["tables"]["accounts_auditevent"]
