"""Client for Telphin's cloud-PBX fax API (``telphin-fax-api.txt`` and NOTES.md).

Fax lives on an extension of type "fax": every resource is under
``/api/ver1.0/extension/{extension_id}/``. Tokens come from the client-credentials
grant and are refreshed a minute before expiry and once on a 401.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from pydantic import Field

from .errors import InvalidRequest
from .files import PDF, TIFF, Download, sniff_media_type
from .records import OnSkip
from .schema import Key, LocalTime, MaybeInt, Record, Text, read, read_list
from .transport import DEFAULT_TIMEOUT, BearerTokenAuth, Redactor, Token, TokenStore, Transport
from .urlsafety import UrlGuard

DOC = "telphin-fax-api.txt"
MAX_FILE_SIZE = 10 * 1024 * 1024  # "The maximum file size is 10 megabytes"
ACCEPTED_TYPES = {PDF: "pdf", TIFF: "tif"}

# Provider status -> normalized status. The document's table omits "sent",
# which its own example returns; NOTES.md: treat it as delivered.
STATUSES = {
    "ready_to_send": "pending",
    "sending": "sending",
    "sent": "delivered",
    "failed": "failed",
    "error": "failed",
    "canceled": "canceled",
    "cancelled": "canceled",
}


class OutgoingFax(Record):
    """A sent fax (``fax/out/``): ``{"status", "dst_num", "id", "datetime"}``."""

    id: int
    dst_num: Text = ""
    raw_status: Text = Field("", alias="status")
    datetime: LocalTime = None

    @property
    def status(self) -> str:
        """Normalized: pending, sending, delivered, failed, canceled, unknown."""
        return STATUSES.get(self.raw_status.strip().lower(), "unknown")


class ReceivedFax(Record):
    """A received fax (the document's "Description of fields")."""

    uuid: Key
    caller_id: Text = ""
    destination: Text = ""
    datetime: LocalTime = None
    file_size: MaybeInt = None
    extension_id: MaybeInt = None
    extension_group_id: MaybeInt = None
    client_id: MaybeInt = None


class TelphinClient:
    provider = "telphin"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        extension_id: int | str,
        base_url: str = "https://apiproxy.telphin.ru",
        api_prefix: str = "/api/ver1.0",
        token_path: str = "/oauth/token",  # noqa: S107 - a URL path, not a secret
        received_list_path: str = "/extension/{extension_id}/fax/in/",
        received_file_path: str = "/extension/{extension_id}/fax/in/{uuid}/file/",
        timezone: str = "Europe/Moscow",
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        token_store: TokenStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        guard: UrlGuard | None = None,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.extension_id = str(extension_id)
        self.api_prefix = "/" + api_prefix.strip("/") if api_prefix.strip("/") else ""
        self.token_path = token_path
        self.received_list_path = received_list_path
        self.received_file_path = received_file_path
        self.timezone = ZoneInfo(timezone)
        self._context = {"zone": self.timezone}  # the account's zone: times carry no offset
        self._clock = clock
        self.redactor = Redactor([client_secret])
        self.auth = BearerTokenAuth(
            obtain=self.token,
            store=token_store,
            margin=timedelta(minutes=1),
            clock=clock,
            redactor=self.redactor,
        )
        self.transport = Transport(
            base_url=base_url,
            provider=self.provider,
            auth=self.auth,
            timeout=timeout,
            redactor=self.redactor,
            session=session or requests.Session(),
            sleep=sleep,
            default_headers={"Accept": "application/json"},
            guard=guard,
        )

    # --- endpoints -----------------------------------------------------------

    # Reference: NOTES.md, "Telphin" (POST /oauth/token, client credentials)
    def token(self) -> Token:
        """A brand-new access token (the transport calls this when it needs one)."""
        response = self.transport.request(
            "POST",
            self.token_path,
            read=False,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
            },
            authenticated=False,
        )
        token = Token.from_oauth_response(self.transport.json(response), now=self._clock())
        self.redactor.add(token.access_token)
        return token

    # Reference: telphin-fax-api.txt, "Sending fax messages"
    def fax_send(self, *, dst_num: str, content: bytes, filename: str = "") -> OutgoingFax:
        """Queues a TIFF or PDF for ``dst_num``; checks type (by content) and size first."""
        media_type = sniff_media_type(content)
        if media_type not in ACCEPTED_TYPES:
            raise InvalidRequest(
                "the fax document must be a TIFF or PDF file", field_errors={"file": ["not a TIFF or PDF file"]}
            )
        if len(content) > MAX_FILE_SIZE:
            raise InvalidRequest("the fax document is larger than 10 MB", field_errors={"file": ["larger than 10 MB"]})
        if not dst_num.strip():
            raise InvalidRequest("no destination number", field_errors={"dst_num": ["required"]})
        name = filename or f"fax.{ACCEPTED_TYPES[media_type]}"
        response = self.transport.request(
            "POST",
            self._path("/extension/{extension_id}/fax/out/"),
            read=False,
            data={"dst_num": dst_num.strip()},
            files={"file": (name, content, media_type)},
        )
        return self._outgoing(self.transport.json(response))

    # Reference: telphin-fax-api.txt, "Getting information about the sending status"
    def fax_out_list(self, *, on_skip: OnSkip | None = None) -> list[OutgoingFax]:
        """Sent faxes. One that cannot be read is skipped and handed to ``on_skip`` (``providers.records``)."""
        response = self.transport.request("GET", self._path("/extension/{extension_id}/fax/out/"), read=True)
        items = self._list(self.transport.json(response))
        return read_list(
            OutgoingFax, items, transport=self.transport, what="sent faxes", on_skip=on_skip, context=self._context
        )

    # Reference: telphin-fax-api.txt, "Getting information about the sending status"
    def fax_out_status(self, message_id: int) -> OutgoingFax:
        path = self._path("/extension/{extension_id}/fax/out/{message_id}", message_id=int(message_id))
        response = self.transport.request("GET", path, read=True)
        return self._outgoing(self.transport.json(response))

    # Reference: telphin-fax-api.txt, "Repeat and cancel sending"
    def fax_retry(self, message_id: int) -> OutgoingFax:
        return self._action(message_id, "retry")

    # Reference: telphin-fax-api.txt, "Repeat and cancel sending"
    def fax_cancel(self, message_id: int) -> OutgoingFax:
        return self._action(message_id, "cancel")

    # Reference: telphin-fax-api.txt, "Receiving fax messages" (URL from NOTES.md)
    def fax_in_list(self, *, on_skip: OnSkip | None = None) -> list[ReceivedFax]:
        """Received faxes. One that cannot be read is skipped and handed to ``on_skip`` (``providers.records``)."""
        response = self.transport.request("GET", self._path(self.received_list_path), read=True)
        items = self._list(self.transport.json(response))
        return read_list(
            ReceivedFax, items, transport=self.transport, what="received faxes", id_keys=("uuid",), on_skip=on_skip,
            context=self._context,
        )  # fmt: skip

    # Reference: telphin-fax-api.txt, "Receiving fax messages" (URL from NOTES.md)
    def fax_in_file(self, uuid: str) -> Download:
        response = self.transport.request("GET", self._path(self.received_file_path, uuid=uuid), read=True, stream=True)
        return Download(response, provider=self.provider, fallback_name=f"{uuid}")

    # Reference: telphin-fax-api.txt, "Example" (fax_mailto) and NOTES.md
    def fax_mailto_set(self, addresses: Iterable[str]) -> list[str]:
        """Sets the addresses received faxes are mailed to; returns them as the provider stored them."""
        value = ",".join(a.strip() for a in addresses if a.strip())
        response = self.transport.request(
            "PUT", self._path("/extension/{extension_id}/fax/"), read=False, json_body={"fax_mailto": value}
        )
        body = self.transport.json(response)
        if not isinstance(body, Mapping) or not isinstance(body.get("fax_mailto"), str | None):
            raise self.transport.unexpected("fax_mailto answer without fax_mailto")
        return [a.strip() for a in (body.get("fax_mailto") or "").split(",") if a.strip()]

    # --- reading answers -------------------------------------------------------

    def _action(self, message_id: int, action: str) -> OutgoingFax:
        path = self._path("/extension/{extension_id}/fax/out/{message_id}", message_id=int(message_id))
        response = self.transport.request("PUT", path, read=False, params={"action": action})
        return self._outgoing(self.transport.json(response))

    def _path(self, template: str, **values: Any) -> str:
        return self.api_prefix + template.format(extension_id=self.extension_id, **values)

    def _list(self, body: Any) -> list[Any]:
        if isinstance(body, Mapping):  # tolerate a wrapped list
            for key in ("data", "items", "results"):
                if isinstance(body.get(key), list):
                    body = body[key]
                    break
        if not isinstance(body, list):
            raise self.transport.unexpected("expected a list of fax records")
        return body

    def _outgoing(self, item: Any) -> OutgoingFax:
        return read(OutgoingFax, item, transport=self.transport, what="sent fax", context=self._context)
