"""What a restore refuses, and says why, before it writes anything: a damaged or truncated archive, a target
that is not empty, an archive of a newer portal or of another engine, files named outside the storage.
And what it notes after: credentials the configured keys do not decrypt."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from tests.backup.conftest import folder_digests, manage, postgres_url, restored_counts, source_counts
from tests.factories import ProviderAccountFactory, TeamFactory


@pytest.fixture
def archive(transactional_db: None, media_root: Path, tmp_path: Path) -> Path:
    """A backup of the test's database and a media folder with a recording and a fax document."""
    default_storage.save("recordings/1/2/call.wav", ContentFile(b"RIFF" + bytes(range(256)) * 900))
    default_storage.save("fax/documents/contract.pdf", ContentFile(b"%PDF-1.4 two pages"))
    path = tmp_path / "portal.tar"
    call_command("backup", str(path))
    return path


def _members(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path) as tar:
        return [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]


def _rewrite(path: Path, change: Callable[[list[tuple[tarfile.TarInfo, bytes]]], None]) -> Path:
    """The archive with its members changed, written as a new tar (the manifest is not re-signed: it has no
    checksum of its own)."""
    members = _members(path)
    change(members)
    changed = path.with_name("changed.tar")
    with tarfile.open(changed, "w") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return changed


def _edit_manifest(path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    def change(members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
        info, data = members[-1]
        assert info.name == "manifest.json"
        manifest = json.loads(data)
        edit(manifest)
        members[-1] = (info, json.dumps(manifest).encode())

    return _rewrite(path, change)


def _refused(path: Path, match: str) -> None:
    """The restore fails with `match` and the test's database and media are exactly as they were."""
    counts, files = source_counts(), folder_digests(Path(default_storage.location))
    with pytest.raises(CommandError, match=match):
        call_command("restore", str(path), stdout=io.StringIO())
    assert source_counts() == counts
    assert folder_digests(Path(default_storage.location)) == files


def test_a_changed_byte_in_a_file_is_refused_naming_the_file(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember("media/recordings/1/2/call.wav").offset_data
    damaged = bytearray(archive.read_bytes())
    damaged[offset + 100] ^= 0xFF
    archive.write_bytes(bytes(damaged))

    _refused(archive, r"nothing was restored\): media/recordings/1/2/call.wav's SHA-256 differs from the manifest's")


def test_a_changed_database_copy_is_refused(archive: Path) -> None:
    def change(members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
        info, data = members[0]
        members[0] = (info, data[:-1] + bytes([data[-1] ^ 1]))

    _refused(_rewrite(archive, change), r"database\.(pgdump|sqlite3)'s SHA-256 differs")


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_a_truncated_archive_is_refused(archive: Path, keep: float) -> None:
    data = archive.read_bytes()
    archive.write_bytes(data[: int(len(data) * keep)])

    _refused(archive, r"truncated")


def test_an_archive_cut_before_its_manifest_is_refused(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        manifest_header = tar.getmember("manifest.json").offset
    archive.write_bytes(archive.read_bytes()[:manifest_header])

    _refused(archive, r"has no manifest.json: it is truncated")


def test_a_file_missing_from_the_archive_is_refused(archive: Path) -> None:
    def change(members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
        members[:] = [(i, d) for i, d in members if i.name != "media/fax/documents/contract.pdf"]

    _refused(_rewrite(archive, change), r"media/fax/documents/contract.pdf is missing")


def test_a_target_that_is_not_empty_is_refused(archive: Path) -> None:
    _refused(archive, r"has \d+ tables and the media storage holds files.*--replace.*Nothing was changed")


def test_an_archive_of_a_newer_portal_is_refused(archive: Path) -> None:
    newer = _edit_manifest(archive, lambda m: m["migrations"]["accounts"].append("9999_from_the_future"))

    _refused(newer, r"made by a newer portal.*accounts\.9999_from_the_future")


def test_an_archive_of_another_engine_is_refused(archive: Path) -> None:
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    _refused(_edit_manifest(archive, lambda m: m["database"].update(engine=other)), r"across engines is not supported")


def test_a_file_named_outside_the_storage_is_refused(archive: Path) -> None:
    def change(members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
        manifest_info, manifest_data = members.pop()
        manifest = json.loads(manifest_data)
        evil = tarfile.TarInfo("media/../../etc/cron.d/evil")
        members.append((evil, b"* * * * * root true\n"))
        manifest["media"]["files"].append(
            {
                "name": "../../etc/cron.d/evil",
                "size": 20,
                "sha256": hashlib.sha256(b"* * * * * root true\n").hexdigest(),
            }
        )
        members.append((manifest_info, json.dumps(manifest).encode()))

    _refused(_rewrite(archive, change), r"names files outside the storage: \.\./\.\./etc/cron\.d/evil")


def test_an_archive_of_another_format_version_is_refused(archive: Path) -> None:
    _refused(_edit_manifest(archive, lambda m: m.update(format_version=2)), r"format version is 2")


def test_the_archive_streams_to_standard_output(
    transactional_db: None, media_root: Path, capsysbinary: Any, tmp_path: Path
) -> None:
    default_storage.save("recordings/x.wav", ContentFile(b"RIFF" * 1000))
    call_command("backup", "-")
    written = tmp_path / "from-stdout.tar"
    written.write_bytes(capsysbinary.readouterr().out)

    with tarfile.open(written) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[-1] == "manifest.json" and "media/recordings/x.wav" in names
    assert [f["name"] for f in manifest["media"]["files"]] == ["recordings/x.wav"]
    assert manifest["tables"]["django_migrations"] > 0


def test_a_backup_never_overwrites_an_archive(archive: Path) -> None:
    before = archive.read_bytes()
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(archive))
    assert archive.read_bytes() == before


def test_media_that_is_not_empty_is_refused_even_with_an_empty_database(
    archive: Path, empty_database_url: str, tmp_path: Path
) -> None:
    target_media = tmp_path / "target-media"
    (target_media / "recordings").mkdir(parents=True)
    (target_media / "recordings" / "other.wav").write_bytes(b"someone else's")

    result = manage("restore", str(archive), database_url=empty_database_url, media_root=target_media)

    assert result.returncode == 1
    assert "the media storage holds files" in result.stderr and "tables" not in result.stderr
    assert list(folder_digests(target_media)) == ["recordings/other.wav"]
    assert (target_media / "recordings" / "other.wav").read_bytes() == b"someone else's"
    assert restored_counts(empty_database_url) == {}


def test_other_credential_keys_are_noted_and_the_right_ones_restore_them(
    transactional_db: None, media_root: Path, empty_database_url: str, tmp_path: Path
) -> None:
    ProviderAccountFactory(team=TeamFactory(), credentials={"username": "api", "password": "pw-42"})
    default_storage.save("recordings/a.wav", ContentFile(b"RIFF"))
    archive = tmp_path / "portal.tar"
    call_command("backup", str(archive))
    target_media = tmp_path / "target-media"

    wrong = manage(
        "restore",
        str(archive),
        database_url=empty_database_url,
        media_root=target_media,
        CREDENTIAL_KEYS=Fernet.generate_key().decode(),
    )
    assert wrong.returncode == 0, wrong.stderr
    assert "2 of 2 encrypted values do not decrypt with this CREDENTIAL_KEYS" in wrong.stderr
    assert "accounts.ProviderAccount.credentials: 1, accounts.ProviderAccount.token_cache: 1" in wrong.stderr
    assert "pw-42" not in wrong.stdout + wrong.stderr

    right = manage("restore", "--replace", str(archive), database_url=empty_database_url, media_root=target_media)
    assert right.returncode == 0, right.stderr
    assert "--replace: dropping" in right.stdout
    assert "All 2 encrypted values decrypt with this CREDENTIAL_KEYS" in right.stdout
    assert folder_digests(target_media) == folder_digests(media_root)
    assert "do not decrypt" not in right.stderr


def test_pg_dump_gets_the_password_in_its_environment_only(tmp_path: Path) -> None:
    import shutil

    from telcoportal.backup.database import DatabaseBackupError, _postgres_command, _run

    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed (Debian: postgresql-client)")
    settings_dict = {
        "NAME": "portal",
        "USER": "portal",
        "PASSWORD": "s3cr3t-Pw",
        "HOST": "127.0.0.1",
        "PORT": 8349,
        "OPTIONS": {},
    }
    args, env = _postgres_command("pg_dump", settings_dict)

    assert env["PGPASSWORD"] == "s3cr3t-Pw"
    assert not any("s3cr3t" in a for a in args)
    with pytest.raises(DatabaseBackupError, match=r"pg_dump failed: .*8349") as failure:
        _run([*args, "--format=custom", "--file", str(tmp_path / "x")], env)  # nothing listens on 8349
    assert "s3cr3t" not in str(failure.value)


def test_a_replace_that_fails_part_way_leaves_the_database_and_the_files_as_they_were(
    archive: Path, tmp_path: Path, postgres_target: str
) -> None:
    """A running portal holds a lock on one of the target's tables: the drop waits, times out, and the whole
    restore rolls back. Dropping table by table before the restore left the target with half its tables."""
    import psycopg

    target, target_media = postgres_url(postgres_target), tmp_path / "target-media"
    first = manage("restore", str(archive), database_url=target, media_root=target_media)
    assert first.returncode == 0, first.stderr
    counts, files = restored_counts(target), folder_digests(target_media)
    assert files and counts["django_migrations"] > 0

    with psycopg.connect(target) as portal:
        portal.execute(f'LOCK TABLE "{max(counts)}" IN ACCESS SHARE MODE')  # the last table in name order
        again = manage(
            "restore",
            "--replace",
            str(archive),
            database_url=target,
            media_root=target_media,
            PGOPTIONS="-c lock_timeout=1000",
        )
        portal.rollback()
    assert again.returncode != 0
    assert "lock timeout" in again.stderr and "the database is as it was" in again.stderr
    assert restored_counts(target) == counts
    assert folder_digests(target_media) == files
