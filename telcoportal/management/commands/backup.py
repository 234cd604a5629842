"""`manage.py backup ARCHIVE`: the database and every media file in one tar (docs/deploy.md, "Backups")."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from telcoportal.backup.archive import ArchiveError, backup_write
from telcoportal.backup.database import DatabaseBackupError
from telcoportal.backup.media import MediaBackupError


class Command(BaseCommand):
    help = (
        "Writes a consistent backup archive (tar): the database (pg_dump or SQLite's online backup), every file "
        "of the media storage and a manifest with row counts and checksums. ARCHIVE '-' writes to standard output."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="the archive to write (a path; '-' for standard output)")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument("--storage", default="default", help="the STORAGES alias of the media (default: default)")

    def handle(self, *args: Any, archive: str, database: str, storage: str, **options: Any) -> None:
        to_stdout = archive == "-"
        # With the archive on standard output, what the command says goes to standard error.
        say = self.stderr.write if to_stdout else self.stdout.write
        target = Path(archive)
        partial = target.with_name(target.name + ".partial")
        if not to_stdout and target.exists():
            raise CommandError(f"{target} exists: choose a new name (a backup never overwrites one)")
        try:
            if to_stdout:
                manifest = backup_write(
                    out=sys.stdout.buffer, connection=connections[database], storage=storages[storage], say=say
                )
            else:
                # Written beside the target and renamed when whole: a failed run never leaves a plausible archive.
                with partial.open("xb") as out:
                    manifest = backup_write(
                        out=out, connection=connections[database], storage=storages[storage], say=say
                    )
                    out.flush()
                    os.fsync(out.fileno())
                partial.rename(target)
        except (ArchiveError, DatabaseBackupError, MediaBackupError) as exc:
            partial.unlink(missing_ok=True) if not to_stdout else None
            raise CommandError(f"The backup failed: {exc}") from None
        except BaseException:
            if not to_stdout:
                partial.unlink(missing_ok=True)
            raise
        media = manifest["media"]
        say(
            self.style.SUCCESS(
                f"Backup written{'' if to_stdout else ' to ' + str(target)}: {manifest['database']['engine']} database "
                f"({len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows), "
                f"{len(media['files'])} files ({media['total_bytes']} bytes)."
            )
        )
