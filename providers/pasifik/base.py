"""The three ways the client talks to Pasifik: JSON POSTs, PBX envelopes, and file downloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..files import Download
from ..records import OnSkip
from ..schema import R, read, read_list
from .parsing import require_list
from .responses import PasifikTransport

# Every call is a POST with a JSON body, ``{}`` when there are no parameters.
JSON_HEADERS = {"Content-Type": "application/json"}


class PasifikEndpoints:
    """Base of the endpoint mixins; :class:`PasifikClient` sets ``transport``."""

    transport: PasifikTransport

    def _post(self, path: str, body: Mapping[str, Any] | None = None, *, read: bool) -> Any:
        response = self.transport.request("POST", path, read=read, json_body=dict(body or {}), headers=JSON_HEADERS)
        return self.transport.json(response)

    def _read(self, model: type[R], data: Any, *, what: str) -> R:
        """One record of an answer; a list of exactly one is that record (the provider sometimes wraps it)."""
        if isinstance(data, list):
            if len(data) != 1:
                raise self.transport.unexpected(f"expected one {what}, got {len(data)}")
            data = data[0]
        return read(model, data, transport=self.transport, what=what)

    def _read_list(
        self,
        model: type[R],
        data: Any,
        *,
        what: str,
        id_keys: tuple[str, ...] = ("id",),
        on_skip: OnSkip | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[R]:
        """Each record of a list answer (a single object is a list of one); one that cannot be read is skipped."""
        items = require_list(data, what=what)
        return read_list(
            model, items, transport=self.transport, what=what, id_keys=id_keys, on_skip=on_skip, context=context
        )

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
        if "json" in response.headers.get("Content-Type", "").lower():
            response.close()
            raise self.transport.unexpected(f"{path}: expected a file, got a JSON answer", response.status_code)
        return Download(response, provider=self.transport.provider, fallback_name=fallback_name)
