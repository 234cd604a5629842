"""The media half of a backup: every file of a storage, through Django's storage API only.

Nothing here knows where the files are (a local folder, S3, …): the storage lists, opens, saves and
deletes them, so backups work whichever storage the settings choose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import Storage

CHUNK = 1024 * 1024


class MediaBackupError(Exception):
    """A file could not be read or written back; the message names it."""


def storage_walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name, depth first, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created holds nothing
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_walk(storage, f"{folder}/{sub}" if folder else sub)


def storage_is_empty(storage: Storage) -> bool:
    return next(storage_walk(storage), None) is None


def storage_clear(storage: Storage) -> int:
    """Deletes every file (restore --replace); returns how many."""
    names = list(storage_walk(storage))
    for name in names:
        storage.delete(name)
    return len(names)


def storage_file_digest(storage: Storage, name: str) -> tuple[int, str]:
    """A stored file's size and SHA-256, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def name_is_safe(name: str) -> bool:
    """A name an archive may hand to a storage: relative, no parent steps, no empty parts."""
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


class HashingReader:
    """Reads a stream through, counting and hashing what passes (tarfile copies from it in chunks)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._digest.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
