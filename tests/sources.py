"""The project's own source folders, for tests that read the code (one list, so a new app is checked by all)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGES = (
    "accounts",
    "messaging",
    "telephony",
    "fax",
    "notifications",
    "telcoportal",
    "core",
    "dashboard",
    "privacy",
    "providers",
    "exportjobs",
)


def source_files(*suffixes: str, extra: tuple[str, ...] = ()) -> Iterator[Path]:
    """Files with these suffixes under every app package (and ``extra`` folders)."""
    for package in APP_PACKAGES + extra:
        for path in (ROOT / package).rglob("*"):
            if path.suffix in suffixes:
                yield path
