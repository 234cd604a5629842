"""A real S3-compatible server for tests and drills: moto's server (``moto[server]``) in its own process.

    with s3_server(port_range=(8250, 8299)) as s3:
        s3.bucket_create("media")
        env = s3.environment("media")      # STORAGE_BACKEND=s3, AWS_* for a subprocess (gunicorn, celery)
        options = s3.storage_options("media")  # STORAGES["default"]["OPTIONS"] for settings in this process
        s3.client().list_objects_v2(Bucket="media")

It speaks HTTP on 127.0.0.1 like MinIO or Ceph RGW would; nothing in the portal knows it is moto.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


def free_port(first: int, last: int) -> int:
    """A port in first..last nobody listens on (bound and released at once)."""
    for port in range(first, last + 1):
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}..{last}")


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen[bytes]

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def bucket_create(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key in the bucket (under prefix), asked of the server itself."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def get(self, bucket: str, key: str) -> bytes:
        body: bytes = self.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def environment(self, bucket: str) -> dict[str, str]:
        """The portal's environment variables for this server and bucket (docs/deploy.md, "Storage")."""
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }

    def storage_options(self, bucket: str) -> dict[str, Any]:
        """``STORAGES["default"]["OPTIONS"]`` as the settings build them from ``environment(bucket)``."""
        from telcoportal import settings

        saved = {name: os.environ.get(name) for name in self.environment(bucket)}
        os.environ.update(self.environment(bucket))
        try:
            return settings.s3_storage_options()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _wait_until_answering(endpoint: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the S3 server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the S3 server at {endpoint} did not answer within {timeout} s")


@contextmanager
def s3_server(port_range: tuple[int, int] = (8250, 8299), log: Path | None = None) -> Iterator[S3Server]:
    """Starts ``moto_server`` on a free port of ``port_range``; stops it (by its own pid) on exit."""
    port = free_port(*port_range)
    endpoint = f"http://127.0.0.1:{port}"
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=output,
        stderr=output,
        env={**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
    )
    try:
        _wait_until_answering(endpoint, process)
        yield S3Server(endpoint=endpoint, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()  # type: ignore[union-attr]


if __name__ == "__main__":  # python -m tests.s3_server BUCKET: a server for a manual run, until Ctrl-C
    with s3_server() as running:
        bucket = sys.argv[1] if len(sys.argv) > 1 else "telcoportal-media"
        running.bucket_create(bucket)
        print("\n".join(f"{key}={value}" for key, value in running.environment(bucket).items()), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
