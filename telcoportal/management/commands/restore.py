"""`manage.py restore ARCHIVE`: an archive of `backup` into an empty database and storage, verified after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from telcoportal.backup.archive import ArchiveError, archive_restore
from telcoportal.backup.database import DatabaseBackupError
from telcoportal.backup.media import MediaBackupError


class Command(BaseCommand):
    help = (
        "Restores a backup archive into an empty database and an empty media storage, after checking every "
        "checksum and the migrations; then verifies every table's row count and every file's checksum. "
        "Same database engine only. Redis (queued tasks, cache) is not part of an archive."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="the archive written by `manage.py backup`")
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "replace the database (dropped in the restore's own transaction: a failed restore changes nothing) "
                "and the media files (deleted once the database is in); otherwise both must be empty"
            ),
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument("--storage", default="default", help="the STORAGES alias of the media (default: default)")

    def handle(self, *args: Any, archive: str, replace: bool, database: str, storage: str, **options: Any) -> None:
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            summary = archive_restore(
                path=path,
                connection=connections[database],
                storage=storages[storage],
                replace=replace,
                say=self.stdout.write,
            )
        except (ArchiveError, DatabaseBackupError, MediaBackupError) as exc:
            raise CommandError(f"The restore failed: {exc}") from None
        manifest = summary.manifest
        self.stdout.write(
            f"Archive of {manifest['created_at']} (portal {manifest['app']['version']}"
            f"{' at ' + manifest['app']['commit'][:12] if manifest['app']['commit'] else ''}).\n"
            f"Restored {summary.tables} tables ({summary.rows} rows) and {summary.files} files ({summary.bytes} bytes)."
        )
        if summary.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(summary.pending_migrations)} migrations of this code are newer than the archive: "
                    "run `manage.py migrate` before starting the portal."
                )
            )
        encrypted = summary.encrypted
        if encrypted.unreadable_total:
            self.stderr.write(
                self.style.WARNING(
                    f"{encrypted.unreadable_total} of {encrypted.total} encrypted values do not decrypt with this "
                    "CREDENTIAL_KEYS ("
                    + ", ".join(f"{label}: {n}" for label, n in sorted(encrypted.unreadable.items()))
                    + "): set the keys of the portal that made the archive, or re-enter those credentials."
                )
            )
        else:
            self.stdout.write(f"All {encrypted.total} encrypted values decrypt with this CREDENTIAL_KEYS.")
        if summary.problems:
            raise CommandError(
                f"The restored data differs from the archive ({len(summary.problems)} differences): "
                + "; ".join(summary.problems[:20])
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Every table's row count and every file's checksum match the archive. Redis is not part of it: "
                'queued tasks and cached values start empty (docs/deploy.md, "Backups").'
            )
        )
