"""The three ways the client talks to Pasifik: JSON POSTs, PBX envelopes, and file downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

import requests

from ..errors import ProviderUnavailable
from .models import Download
from .parsing import as_optional_int
from .responses import PasifikTransport

# Every call is a POST with a JSON body, ``{}`` when there are no parameters.
JSON_HEADERS = {"Content-Type": "application/json"}
CHUNK_SIZE = 64 * 1024
_DISPOSITION_NAME = re.compile(r"""filename\*?=(?:UTF-8'')?["']?([^"';]+)""", re.IGNORECASE)


class PasifikEndpoints:
    """Base of the endpoint mixins; :class:`PasifikClient` sets ``transport``."""

    transport: PasifikTransport

    def _post(self, path: str, body: Mapping[str, Any] | None = None, *, read: bool) -> Any:
        response = self.transport.request("POST", path, read=read, json_body=dict(body or {}), headers=JSON_HEADERS)
        return self.transport.json(response)

    def _post_pbx(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """The ``body`` of a PBX envelope; error codes were raised by the transport already."""
        data = self._post(path, body, read=True)
        if not isinstance(data, Mapping) or "body" not in data:
            raise self.transport.unexpected(f"{path}: PBX answer without a body")
        return data["body"]

    def _post_multipart(self, path: str, files: Mapping[str, Any]) -> Any:
        # No Content-Type of our own: requests writes multipart/form-data with its boundary.
        response = self.transport.request("POST", path, read=False, files=dict(files))
        return self.transport.json(response)

    def _download(self, path: str, body: Mapping[str, Any], *, fallback_name: str) -> Download:
        response = self.transport.request(
            "POST", path, read=True, json_body=dict(body), headers=JSON_HEADERS, stream=True
        )
        content_type = response.headers.get("Content-Type", "")
        if "json" in content_type.lower():
            response.close()
            raise self.transport.unexpected(f"{path}: expected a file, got a JSON answer", response.status_code)
        return Download(
            filename=_filename(response.headers.get("Content-Disposition", ""), fallback_name),
            content_type=content_type.split(";")[0].strip() or "application/octet-stream",
            size=as_optional_int(response.headers.get("Content-Length"), field="Content-Length"),
            chunks=self._chunks(response),
            close=response.close,
        )

    def _chunks(self, response: requests.Response) -> Iterator[bytes]:
        try:
            for chunk in response.iter_content(CHUNK_SIZE):
                if chunk:
                    yield chunk
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                self.transport.redactor(f"the download broke off: {type(exc).__name__}"),
                request_sent=True,
                provider=self.transport.provider,
            ) from None
        finally:
            response.close()


def _filename(disposition: str, fallback: str) -> str:
    """The file's base name from Content-Disposition, never a path."""
    match = _DISPOSITION_NAME.search(disposition)
    name = PurePosixPath((match.group(1) if match else fallback).replace("\\", "/")).name.strip()
    return name or fallback
