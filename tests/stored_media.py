"""What media storage really holds, asked of the storage itself: the folder on disk, or the S3 server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.s3_server import S3Server

LOCAL_STORAGE = "django.core.files.storage.FileSystemStorage"
S3_STORAGE = "storages.backends.s3.S3Storage"


@dataclass
class StoredMedia:
    kind: str  # "local" or "s3"
    root: Path | None = None
    server: S3Server | None = None
    bucket: str = ""

    def names(self, prefix: str = "") -> list[str]:
        """Every stored file's name (under ``prefix``), from the disk or from the bucket's listing."""
        if self.server is not None:
            return self.server.keys(self.bucket, prefix)
        assert self.root is not None
        found = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return sorted(name for name in found if name.startswith(prefix))

    def read(self, name: str) -> bytes:
        """The stored bytes, read past Django's storage API (boto3 GET, or the file on disk)."""
        if self.server is not None:
            return self.server.get(self.bucket, name)
        assert self.root is not None
        return (self.root / name).read_bytes()
