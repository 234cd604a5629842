"""Emulator of Telphin's fax API (``telphin-fax-api.txt`` with NOTES.md).

Mounted at ``/telphin``: ``/telphin/oauth/token`` and ``/telphin/api/ver1.0/...``.

Outgoing faxes move over sandbox time: ``ready_to_send`` for 10 s, ``sending``
until 30 s, then ``sent`` — except numbers ending in 9, whose first attempt
ends ``failed`` (a retry then succeeds) and numbers ending in 8, which always
end ``failed``. Extension 122 belongs to the demo client and holds two received
faxes (a PDF and a TIFF); extension 999 belongs to somebody else.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from providers.files import PDF, TIFF, sniff_media_type

from .core import ProviderSandbox, json_response
from .media import fax_tiff_bytes, pdf_bytes
from .poison import poisoned

DEMO_CREDENTIALS = {"client_id": "demo-telphin-app", "client_secret": "demo-telphin-secret"}
DEMO_EXTENSION_ID = 122
OTHER_EXTENSION_ID = 999

TOKEN_LIFETIME = 3600
MAX_FILE_SIZE = 10 * 1024 * 1024
TZ = ZoneInfo("Europe/Moscow")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


def _message(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return json_response({"message": text}, status=status, headers=headers)


class TelphinSandbox(ProviderSandbox):
    name = "telphin"
    demo_credentials: ClassVar[dict[str, str]] = {**DEMO_CREDENTIALS, "extension_id": str(DEMO_EXTENSION_ID)}

    def reset(self) -> None:
        now = self.clock.now()
        self.clients = {DEMO_CREDENTIALS["client_id"]: DEMO_CREDENTIALS["client_secret"]}
        self.tokens: dict[str, Any] = {}  # access token -> expiry (sandbox time)
        self.extensions: dict[int, dict[str, Any]] = {
            DEMO_EXTENSION_ID: {"client": DEMO_CREDENTIALS["client_id"], "fax_mailto": "", "group": 12},
            OTHER_EXTENSION_ID: {"client": "someone-else", "fax_mailto": "", "group": None},
        }
        self.outgoing: dict[int, dict[str, Any]] = {}
        self.next_id = 174
        self.poison_record = False  # see .poison
        self.received: dict[int, list[dict[str, Any]]] = {
            DEMO_EXTENSION_ID: [
                {
                    "uuid": "2f4c2a9e-0d7b-4b0e-9a51-5c1b8f0e7a11",
                    "caller_id": "74951234567",
                    "destination": "74957654321",
                    "received_at": now - timedelta(hours=2),
                    "content": pdf_bytes("Telphin demo fax 1"),
                    "content_type": PDF,
                },
                {
                    "uuid": "8a0e3d6b-3c1f-4f5e-b2a7-9d4c6e1f2b22",
                    "caller_id": "74991112233",
                    "destination": "74957654321",
                    "received_at": now - timedelta(minutes=25),
                    "content": fax_tiff_bytes("telphin-demo-2"),
                    "content_type": TIFF,
                },
            ],
            OTHER_EXTENSION_ID: [],
        }

    def rules(self) -> Iterable[Rule]:
        ext = "/api/ver1.0/extension/<int:extension_id>"
        return [
            Rule("/oauth/token", endpoint="token", methods=["POST"]),
            Rule(f"{ext}/fax/out/", endpoint="send_or_list", methods=["GET", "POST"]),
            Rule(f"{ext}/fax/out/<int:message_id>", endpoint="one_outgoing", methods=["GET", "PUT"]),
            Rule(f"{ext}/fax/in/", endpoint="received_list", methods=["GET"]),
            Rule(f"{ext}/fax/in/<uuid>/file/", endpoint="received_file", methods=["GET"]),
            Rule(f"{ext}/fax/", endpoint="fax_settings", methods=["PUT"]),
        ]

    def expired_token_response(self) -> Response:
        return _message("Invalid or expired access token", 401)

    def malformed_response(self) -> Response:
        return Response("<html><body>502 Bad Gateway</body>", status=200, content_type="application/json")

    # --- token ---------------------------------------------------------------

    def token(self, request: Request) -> Response:
        if request.form.get("grant_type") != "client_credentials":
            return json_response(
                {"error": "unsupported_grant_type", "message": "The authorization grant type is not supported"}, 400
            )
        client_id = request.form.get("client_id", "")
        if client_id not in self.clients or not secrets.compare_digest(
            self.clients[client_id], request.form.get("client_secret", "")
        ):
            return json_response({"error": "invalid_client", "message": "Client authentication failed"}, 401)
        token = secrets.token_hex(20)
        self.tokens[token] = (client_id, self.clock.now() + timedelta(seconds=TOKEN_LIFETIME))
        return json_response({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME})

    def _authorize(self, request: Request, extension_id: int) -> Response | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        entry = self.tokens.get(token) if scheme.lower() == "bearer" else None
        if entry is None or entry[1] <= self.clock.now():
            return self.expired_token_response()
        extension = self.extensions.get(extension_id)
        if extension is None or extension["client"] != entry[0]:
            return _message("Record not found", 404)
        return None

    # --- outgoing --------------------------------------------------------------

    def send_or_list(self, request: Request, extension_id: int) -> Response:
        denied = self._authorize(request, extension_id)
        if denied:
            return denied
        if request.method == "GET":
            items = [self._render(fax) for fax in self.outgoing.values() if fax["extension_id"] == extension_id]
            return json_response(items)
        if not request.mimetype.startswith("multipart/form-data"):
            return _message("Content-Type must be multipart/form-data", 400)
        dst_num = request.form.get("dst_num", "").strip()
        upload = request.files.get("file")
        if not dst_num:
            return _message("dst_num is required", 400)
        if not re.fullmatch(r"\+?\d{3,20}", dst_num):
            return _message("dst_num is not a valid number", 400)
        if upload is None:
            return _message("file is required", 400)
        content = upload.read()
        if len(content) > MAX_FILE_SIZE:
            return _message("The maximum file size is 10 megabytes", 400)
        if sniff_media_type(content) not in (PDF, TIFF):
            return _message("A file in tiff or pdf format is required", 400)
        fax = {
            "id": self.next_id,
            "extension_id": extension_id,
            "dst_num": dst_num,
            "created_at": self.clock.now(),
            "queued_at": self.clock.now(),
            "attempt": 1,
            "final": None,
            "content": content,
        }
        self.next_id += 1
        self.outgoing[fax["id"]] = fax
        return json_response(self._render(fax))

    def one_outgoing(self, request: Request, extension_id: int, message_id: int) -> Response:
        denied = self._authorize(request, extension_id)
        if denied:
            return denied
        fax = self.outgoing.get(message_id)
        if fax is None or fax["extension_id"] != extension_id:
            return _message("Record not found", 404)
        if request.method == "GET":
            return json_response(self._render(fax))
        action = request.args.get("action", "")
        status = self._status(fax)
        if action == "retry":
            if status != "failed":
                return _message(f"A message with status {status} cannot be sent again", 400)
            fax.update(queued_at=self.clock.now(), attempt=fax["attempt"] + 1, final=None)
        elif action == "cancel":
            if status not in ("failed", "ready_to_send"):
                return _message(f"A message with status {status} cannot be canceled", 400)
            fax["final"] = "canceled"
        else:
            return _message("action must be retry or cancel", 400)
        return json_response(self._render(fax))

    def _status(self, fax: dict[str, Any]) -> str:
        if fax["final"]:
            return str(fax["final"])
        elapsed = (self.clock.now() - fax["queued_at"]).total_seconds()
        if elapsed < 10:
            return "ready_to_send"
        if elapsed < 30:
            return "sending"
        number = fax["dst_num"]
        fails = number.endswith("8") or (number.endswith("9") and fax["attempt"] == 1)
        return "failed" if fails else "sent"

    def _render(self, fax: dict[str, Any]) -> dict[str, Any]:
        return {
            "datetime": _stamp(fax["created_at"]),
            "dst_num": fax["dst_num"],
            "id": fax["id"],
            "status": self._status(fax),
        }

    # --- received --------------------------------------------------------------

    def received_list(self, request: Request, extension_id: int) -> Response:
        denied = self._authorize(request, extension_id)
        if denied:
            return denied
        extension = self.extensions[extension_id]
        items = [
            {
                "caller_id": fax["caller_id"],
                "client_id": 31337,
                "datetime": _stamp(fax["received_at"]),
                "destination": fax["destination"],
                "extension_group_id": extension["group"],
                "extension_id": extension_id,
                "file_size": len(fax["content"]),
                "uuid": fax["uuid"],
            }
            for fax in self.received.get(extension_id, [])
        ]
        return json_response(
            poisoned(items, on=self.poison_record, id_field="uuid", bad_field="datetime", as_text=True)
        )

    def received_file(self, request: Request, extension_id: int, uuid: str) -> Response:
        denied = self._authorize(request, extension_id)
        if denied:
            return denied
        for fax in self.received.get(extension_id, []):
            if fax["uuid"] == uuid:
                extension = "pdf" if fax["content_type"] == PDF else "tif"
                return Response(
                    fax["content"],
                    content_type=fax["content_type"],
                    headers={"Content-Disposition": f'attachment; filename="{uuid}.{extension}"'},
                )
        return _message("Record not found", 404)

    # --- fax-to-email ------------------------------------------------------------

    def fax_settings(self, request: Request, extension_id: int) -> Response:
        denied = self._authorize(request, extension_id)
        if denied:
            return denied
        body = request.get_json(silent=True) if request.mimetype == "application/json" else None
        if not isinstance(body, dict) or not isinstance(body.get("fax_mailto"), str):
            return _message("fax_mailto is required (application/json)", 400)
        addresses = [a.strip() for a in body["fax_mailto"].split(",") if a.strip()]
        bad = [a for a in addresses if not _EMAIL.match(a)]
        if bad:
            return _message(f"Invalid e-mail address: {bad[0]}", 400)
        self.extensions[extension_id]["fax_mailto"] = ",".join(addresses)
        return json_response({"fax_mailto": self.extensions[extension_id]["fax_mailto"]})


def _stamp(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
