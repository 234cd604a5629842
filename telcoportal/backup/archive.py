"""Writing an archive, checking one, and restoring from one (the commands are thin over these)."""

from __future__ import annotations

import io
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.core.files import File
from django.core.files.storage import Storage
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from .credentials import EncryptedValues, encrypted_values_check
from .database import (
    MEMBERS,
    database_dump,
    database_restore,
    database_row_counts,
    database_tables,
    engine_of,
)
from .manifest import (
    MAX_BYTES,
    MEDIA_PREFIX,
    MEMBER,
    ManifestError,
    manifest_build,
    manifest_dump,
    manifest_parse,
    migrations_compare,
)
from .media import (
    CHUNK,
    HashingReader,
    MediaBackupError,
    name_is_safe,
    storage_clear,
    storage_file_digest,
    storage_is_empty,
    storage_walk,
)

Say = Callable[[str], None]


class ArchiveError(Exception):
    """The archive cannot be written or restored; the message says why and what to do."""


# --- writing --------------------------------------------------------------------------------------


def backup_write(*, out: BinaryIO, connection: BaseDatabaseWrapper, storage: Storage, say: Say) -> dict[str, Any]:
    """Streams an archive to ``out``: the database copy, every media file, then the manifest."""
    created_at = timezone.now()
    with tempfile.TemporaryDirectory(prefix="telcoportal-backup-") as work:
        engine_of(connection)
        say("Copying the database…")
        dump_path = Path(work) / "database"
        snapshot = database_dump(connection=connection, target=dump_path)
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            with dump_path.open("rb") as dump:
                size, digest = _add(tar, snapshot.member, dump, dump_path.stat().st_size, created_at.timestamp())
            dump_path.unlink()
            database = {"engine": snapshot.engine, "member": snapshot.member, "size": size, "sha256": digest}
            say(f"Database: {len(snapshot.row_counts)} tables, {sum(snapshot.row_counts.values())} rows.")
            files, vanished = _add_media(tar, storage, created_at.timestamp(), say)
            manifest = manifest_build(
                created_at=created_at,
                database=database,
                row_counts=snapshot.row_counts,
                migrations=snapshot.migrations,
                files=files,
                skipped=vanished,
            )
            data = manifest_dump(manifest)
            info = tarfile.TarInfo(MEMBER)
            info.size, info.mtime, info.mode = len(data), int(created_at.timestamp()), 0o600
            tar.addfile(info, _BytesReader(data))
    return manifest


def _add_media(
    tar: tarfile.TarFile, storage: Storage, mtime: float, say: Say
) -> tuple[list[dict[str, Any]], list[str]]:
    files: list[dict[str, Any]] = []
    vanished: list[str] = []
    for name in storage_walk(storage):
        try:
            size = storage.size(name)
            stream = storage.open(name, "rb")
        except FileNotFoundError:  # deleted between the listing and the read
            vanished.append(name)
            say(f"Skipped {name}: deleted while the backup ran.")
            continue
        with stream:
            try:
                size, digest = _add(tar, MEDIA_PREFIX + name, stream, size, mtime)
            except OSError as exc:
                raise MediaBackupError(
                    f"{name} could not be read whole (changed while the backup ran?): {exc}"
                ) from exc
        files.append({"name": name, "size": size, "sha256": digest})
    say(f"Media: {len(files)} files, {sum(f['size'] for f in files)} bytes.")
    return files, vanished


def _add(tar: tarfile.TarFile, member: str, stream: Any, size: int, mtime: float) -> tuple[int, str]:
    info = tarfile.TarInfo(member)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    reader = HashingReader(stream)
    tar.addfile(info, reader)  # copies exactly `size` bytes, in chunks
    return reader.size, reader.hexdigest()


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at : end], min(end, len(self._data))
        return chunk


# --- checking -------------------------------------------------------------------------------------


def archive_check(*, path: Path, database_copy: Path | None = None) -> dict[str, Any]:
    """Reads the whole archive once and compares every member with the manifest; nothing is written but the
    database copy (to ``database_copy``, for the restore). Raises ArchiveError on any difference."""
    seen: dict[str, tuple[int, str]] = {}
    manifest_data: bytes | None = None
    try:
        with tarfile.open(path, mode="r|") as tar:
            for member in tar:
                if member.name in seen or (member.name == MEMBER and manifest_data is not None):
                    raise ArchiveError(f"the archive holds {member.name} twice: it was not written by `backup`")
                if not member.isfile():
                    raise ArchiveError(f"the archive holds {member.name}, which is not a file")
                stream = tar.extractfile(member)
                assert stream is not None  # a regular file always has one
                if member.name == MEMBER:
                    if member.size > MAX_BYTES:
                        raise ArchiveError("manifest.json is too large to be a manifest")
                    manifest_data = stream.read()
                    continue
                if member.name in MEMBERS.values() and database_copy is not None:
                    seen[member.name] = _copy(stream, database_copy)
                else:
                    seen[member.name] = _digest(stream)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"{path} is truncated or damaged (not a whole tar archive): {exc}") from None
    if manifest_data is None:
        raise ArchiveError(
            f"{path} has no manifest.json: it is truncated (the manifest is written last) or not a backup"
        )
    try:
        manifest = manifest_parse(manifest_data)
    except ManifestError as exc:
        raise ArchiveError(str(exc)) from None
    problems = _compare(manifest, seen)
    if problems:
        raise ArchiveError(
            f"{path} does not match its manifest ({len(problems)} differences; nothing was restored): "
            + "; ".join(problems[:10])
            + ("; …" if len(problems) > 10 else "")
        )
    return manifest


def _compare(manifest: dict[str, Any], seen: dict[str, tuple[int, str]]) -> list[str]:
    expected = {MEDIA_PREFIX + f["name"]: (f["size"], f["sha256"]) for f in manifest["media"]["files"]}
    database = manifest["database"]
    expected[database["member"]] = (database["size"], database["sha256"])
    problems = []
    for member, (size, digest) in expected.items():
        if member not in seen:
            problems.append(f"{member} is missing")
        elif seen[member][0] != size:
            problems.append(f"{member} has {seen[member][0]} bytes, the manifest says {size}")
        elif seen[member][1] != digest:
            problems.append(f"{member}'s SHA-256 differs from the manifest's")
    problems += [f"{member} is not in the manifest" for member in sorted(set(seen) - set(expected))]
    return problems


def _digest(stream: IO[bytes]) -> tuple[int, str]:
    reader = HashingReader(stream)
    while reader.read(CHUNK):
        pass
    return reader.size, reader.hexdigest()


def _copy(stream: IO[bytes], target: Path) -> tuple[int, str]:
    reader = HashingReader(stream)
    with target.open("wb") as out:
        while chunk := reader.read(CHUNK):
            out.write(chunk)
    return reader.size, reader.hexdigest()


# --- restoring ------------------------------------------------------------------------------------


@dataclass
class RestoreSummary:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    pending_migrations: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # differences found after the restore
    encrypted: EncryptedValues = field(default_factory=EncryptedValues)


def archive_restore(
    *, path: Path, connection: BaseDatabaseWrapper, storage: Storage, replace: bool, say: Say
) -> RestoreSummary:
    """Checks the archive whole, then the target, then restores the database and the files and verifies
    both against the manifest. Nothing is written before every check has passed."""
    with tempfile.TemporaryDirectory(prefix="telcoportal-restore-") as work:
        say(f"Checking {path}…")
        database_copy = Path(work) / "database"
        manifest = archive_check(path=path, database_copy=database_copy)
        engine = manifest["database"]["engine"]
        if engine != engine_of(connection):
            raise ArchiveError(
                f"the archive holds a {engine} database and this portal uses {connection.vendor}: "
                "restoring across engines is not supported"
            )
        unknown, pending = migrations_compare(manifest["migrations"])
        if unknown:
            raise ArchiveError(
                "the archive was made by a newer portal: its database has migrations this code does not know ("
                + ", ".join(unknown[:10])
                + f"). Restore with the version that made it ({manifest['app']}) or a newer one."
            )
        unsafe = [f["name"] for f in manifest["media"]["files"] if not name_is_safe(f["name"])]
        if unsafe:
            raise ArchiveError(f"the archive names files outside the storage: {', '.join(unsafe[:5])}")
        has_files = _target_empty_or_replaced(connection, storage, replace, say)
        say("Restoring the database…")
        database_restore(connection=connection, engine=engine, source=database_copy)
    if has_files:  # only once the database is restored: a restore that failed before leaves the files as well
        say(f"--replace: deleted {storage_clear(storage)} media files.")
    say("Restoring the files…")
    _restore_media(path, storage)
    summary = RestoreSummary(manifest=manifest, pending_migrations=pending)
    _verify(summary, connection, storage)
    summary.encrypted = encrypted_values_check(using=connection.alias)
    return summary


def _target_empty_or_replaced(connection: BaseDatabaseWrapper, storage: Storage, replace: bool, say: Say) -> bool:
    """Refuses a target that is not empty unless --replace; whether its media files are to be deleted."""
    tables = database_tables(connection)
    has_files = not storage_is_empty(storage)
    if not tables and not has_files:
        return False
    if not replace:
        where = []
        if tables:
            where.append(f"the database {connection.settings_dict['NAME']} has {len(tables)} tables")
        if has_files:
            where.append("the media storage holds files")
        raise ArchiveError(
            " and ".join(where) + ": restore into an empty database and an empty storage, or pass --replace to "
            "delete what is there first. Nothing was changed."
        )
    say(f"--replace: dropping {len(tables)} tables in the restore's transaction, then deleting the media files…")
    return has_files


def _restore_media(path: Path, storage: Storage) -> None:
    with tarfile.open(path, mode="r|") as tar:
        for member in tar:
            if not member.name.startswith(MEDIA_PREFIX):
                continue
            name = member.name.removeprefix(MEDIA_PREFIX)
            stream = tar.extractfile(member)
            assert stream is not None
            content = File(io.BufferedReader(_Reader(stream), CHUNK), name=name)
            content.size = member.size
            saved = storage.save(name, content)
            if saved != name:
                raise MediaBackupError(f"the storage saved {name} as {saved}: restore into an empty storage")


class _Reader(io.RawIOBase):
    """A tar member seen as a stream that cannot seek, so storages read it in chunks (S3 uploads it in parts)."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _verify(summary: RestoreSummary, connection: BaseDatabaseWrapper, storage: Storage) -> None:
    manifest = summary.manifest
    counts = database_row_counts(connection)
    for table, expected in sorted(manifest["tables"].items()):
        if table not in counts:
            summary.problems.append(f"table {table} is missing")
        elif counts[table] != expected:
            summary.problems.append(f"table {table} has {counts[table]} rows, the archive {expected}")
    summary.tables, summary.rows = len(counts), sum(counts.values())
    expected_files = {f["name"]: (f["size"], f["sha256"]) for f in manifest["media"]["files"]}
    stored = set()
    for name in storage_walk(storage):
        stored.add(name)
        if name not in expected_files:
            summary.problems.append(f"{name} is in the storage but not in the archive")
            continue
        size, digest = storage_file_digest(storage, name)
        if (size, digest) != expected_files[name]:
            summary.problems.append(f"{name} differs from the archive's copy")
        summary.files += 1
        summary.bytes += size
    summary.problems += [f"{name} is missing from the storage" for name in sorted(set(expected_files) - stored)]
