"""The manifest: what an archive holds, written last into it, read first by a restore."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from importlib import metadata
from typing import Any

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

FORMAT = "telcoportal-backup"
FORMAT_VERSION = 1
MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"
MAX_BYTES = 256 * 1024 * 1024  # a manifest larger than this is not one of ours


class ManifestError(Exception):
    """The manifest is missing, unreadable or of a format this code does not read."""


def app_identity() -> dict[str, str]:
    """The portal's version and commit: APP_COMMIT when the deployment sets it, else the checkout's HEAD."""
    try:
        version = metadata.version("telcoportal")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit = os.environ.get("APP_COMMIT", "")
    if not commit and (settings.BASE_DIR / ".git").exists():
        try:
            result = subprocess.run(
                ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            commit = result.stdout.strip() if result.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            commit = ""
    return {"version": version, "commit": commit}


def manifest_build(
    *,
    created_at: datetime,
    database: dict[str, Any],
    row_counts: dict[str, int],
    migrations: dict[str, list[str]],
    files: list[dict[str, Any]],
    skipped: list[str],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "app": app_identity(),
        "database": database,
        "migrations": migrations,
        "tables": row_counts,
        "media": {
            "prefix": MEDIA_PREFIX,
            "files": files,
            "total_bytes": sum(f["size"] for f in files),
            # Listed, then gone before they were read (deleted meanwhile, e.g. by retention).
            "vanished": skipped,
        },
    }


def manifest_dump(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, indent=1, sort_keys=True).encode()


def manifest_parse(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise ManifestError(f"manifest.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ManifestError("manifest.json is not a Telcoportal backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ManifestError(
            f"the archive's format version is {manifest.get('format_version')!r}; this code reads version "
            f"{FORMAT_VERSION} (restore with the portal version that made it: {manifest.get('app')})"
        )
    return manifest


def migrations_compare(archived: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(applied in the archive but unknown to this code, known to this code but not applied in the archive)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {(app, name) for app, names in archived.items() for name in names}
    unknown = sorted(f"{app}.{name}" for app, name in applied - known)
    pending = sorted(f"{app}.{name}" for app, name in known - applied)
    return unknown, pending
