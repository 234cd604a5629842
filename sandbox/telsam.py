"""Emulator of Telsam yenifaks (``telsam-yenifaks-fax-api.txt`` with NOTES.md).

Mounted at ``/telsam``, which stands for the document's ``/api/v1``. Laravel
with Passport: password, authorization-code and refresh-token grants, a
browser authorize page at ``GET /oauth/authorize`` (add ``auto_approve=1`` to
be redirected at once, as tests do), Laravel error bodies and paginators.

A sent fax is ``pending`` for 60 s of sandbox time, then ``success`` —
except numbers ending in 9, which end ``failed`` after two attempts. The demo
user's DID is 908502590260; its inbox holds received faxes (real PDFs), some
of them today. Fax 100001 belongs to another user (403).

``list_shape`` chooses how ``POST /fax`` answers: ``paginator`` (default),
``data``, ``faxes`` or ``bare``.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from providers.files import BMP, JPEG, OLE, PDF, PNG, TIFF, ZIP, sniff_media_type

from .core import ProviderSandbox, json_response
from .media import pdf_bytes
from .paging import faulty_cursor
from .poison import poisoned

DEMO_CREDENTIALS = {
    "client_id": "3",
    "client_secret": "demo-telsam-client-secret",
    "username": "demo@telsam.example",
    "password": "demo-telsam-password",
}
DEMO_DID = "908502590260"
DEMO_REDIRECT_URI = "http://127.0.0.1/telsam/callback"
OTHER_USERS_FAX_ID = 100001

ISTANBUL = ZoneInfo("Europe/Istanbul")
TOKEN_LIFETIME = 31536000  # a year, as the document's example
CODE_LIFETIME = 600
SEND_DELAY = 60
PER_PAGE = 15
ACCEPTED_TYPES = {JPEG, PNG, BMP, ZIP, OLE, PDF, TIFF}
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_NUMBER = re.compile(r"^\d{10,13}$")
_FILE_TYPES_MESSAGE = "şu dosya tiplerinden biri olmalıdır: jpeg, png, bmp, docx, doc, xls, xlsx, pdf, tiff."


def _message(text: str, status: int) -> Response:
    return json_response({"message": text}, status=status)


def _invalid(errors: dict[str, list[str]]) -> Response:
    return json_response({"message": "The given data was invalid.", "errors": errors}, status=422)


def _oauth_error(error: str, description: str, status: int, hint: str = "") -> Response:
    body = {"error": error, "error_description": description, "message": description}
    if hint:
        body["hint"] = hint
    return json_response(body, status=status)


class TelsamSandbox(ProviderSandbox):
    name = "telsam"
    demo_credentials: ClassVar[dict[str, str]] = dict(DEMO_CREDENTIALS)
    demo_options: ClassVar[dict[str, Any]] = {"fax_numbers": [DEMO_DID]}

    def reset(self) -> None:
        now = self.clock.now()
        self.list_shape = "paginator"
        self.paging_fault: str | None = None  # one of paging.PAGING_FAULTS
        self.poison_record = False  # see .poison
        self.clients = {DEMO_CREDENTIALS["client_id"]: DEMO_CREDENTIALS["client_secret"]}
        self.users = {DEMO_CREDENTIALS["username"]: {"password": DEMO_CREDENTIALS["password"], "did": DEMO_DID}}
        self.tokens: dict[str, dict[str, Any]] = {}  # access token -> {user, client, expires}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}  # refresh token -> {user, client}
        self.codes: dict[str, dict[str, Any]] = {}  # code -> {user, client, redirect_uri, expires}
        self.faxes: dict[int, dict[str, Any]] = {}
        self.next_id = 278563
        self.next_attempt_id = 584337
        midnight = now.astimezone(ISTANBUL).replace(hour=0, minute=0, second=0, microsecond=0)
        since_midnight = now - midnight
        user = DEMO_CREDENTIALS["username"]
        for index in range(20):
            if index < 3:  # today, whatever the hour
                created = midnight + since_midnight * (0.2 + 0.3 * index)
            else:
                created = now - timedelta(days=index - 1, hours=index)
            incoming = index % 2 == 0
            self._add_fax(
                user=user,
                phone=f"90212555{index:04d}",
                call_type="incoming" if incoming else "outgoing",
                created=created,
                content=pdf_bytes(f"Telsam demo fax {index}"),
                settled="failed" if index % 7 == 5 else "success",
            )
        self._add_fax(
            user="someone@else.example",
            phone="902125550999",
            call_type="incoming",
            created=now - timedelta(hours=1),
            content=pdf_bytes("Not yours"),
            settled="success",
            fax_id=OTHER_USERS_FAX_ID,
        )

    def _add_fax(
        self,
        *,
        user: str,
        phone: str,
        call_type: str,
        created: datetime,
        content: bytes,
        settled: str | None = None,
        fax_id: int | None = None,
    ) -> dict[str, Any]:
        if fax_id is None:
            fax_id = self.next_id
            self.next_id += 1
        fax = {
            "id": fax_id,
            "user": user,
            "phone": phone,
            "call_type": call_type,
            "did": self.users.get(user, {}).get("did", "908502590999"),
            "created": created,
            "content": content,
            "settled": settled,  # demo faxes are settled from the start; sent ones settle over time
        }
        self.faxes[fax_id] = fax
        return fax

    def rules(self) -> Iterable[Rule]:
        return [
            Rule("/oauth/token", endpoint="token", methods=["POST"]),
            Rule("/oauth/authorize", endpoint="authorize", methods=["GET", "POST"]),
            Rule("/fax", endpoint="fax_list", methods=["POST"]),
            Rule("/fax/send", endpoint="fax_send", methods=["POST"]),
            Rule("/fax/<int:fax_id>", endpoint="fax_detail", methods=["POST"]),
            Rule("/fax/<int:fax_id>/download", endpoint="fax_download", methods=["POST"]),
        ]

    # --- OAuth ---------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.is_json else None
        params = {k: str(v) for k, v in (body if isinstance(body, dict) else request.form).items()}
        grant = params.get("grant_type", "")
        if grant not in ("password", "authorization_code", "refresh_token"):
            return _oauth_error(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
                400,
                "Check that all required parameters have been provided",
            )
        client_id = params.get("client_id", "")
        if client_id not in self.clients or not secrets.compare_digest(
            self.clients[client_id], params.get("client_secret", "")
        ):
            return _oauth_error("invalid_client", "Client authentication failed", 401)
        if grant == "password":
            user = self.users.get(params.get("username", ""))
            if user is None or not secrets.compare_digest(user["password"], params.get("password", "")):
                return _oauth_error(
                    "invalid_grant",
                    "The provided authorization grant (e.g., authorization code, resource owner credentials) "
                    "or refresh token is invalid, expired, revoked, does not match the redirection URI used "
                    "in the authorization request, or was issued to another client.",
                    400,
                    "The user credentials were incorrect.",
                )
            return self._issue(params["username"], client_id)
        if grant == "authorization_code":
            for name in ("redirect_uri", "code"):
                if not params.get(name):
                    return _oauth_error(
                        "invalid_request",
                        "The request is missing a required parameter, includes an invalid parameter value, "
                        "includes a parameter more than once, or is otherwise malformed.",
                        400,
                        f"Check the `{name}` parameter",
                    )
            code = self.codes.pop(params["code"], None)
            if (
                code is None
                or code["expires"] <= self.clock.now()
                or code["client"] != client_id
                or code["redirect_uri"] != params["redirect_uri"]
            ):
                return _oauth_error(
                    "invalid_grant",
                    "The provided authorization grant (e.g., authorization code, resource owner credentials) "
                    "or refresh token is invalid, expired, revoked, does not match the redirection URI used "
                    "in the authorization request, or was issued to another client.",
                    400,
                    "Authorization code has been revoked",
                )
            return self._issue(code["user"], client_id)
        entry = self.refresh_tokens.pop(params.get("refresh_token", ""), None)
        if entry is None or entry["client"] != client_id:
            return _oauth_error("invalid_request", "The refresh token is invalid.", 401, "Token has been revoked")
        return self._issue(entry["user"], client_id)

    def _issue(self, user: str, client_id: str) -> Response:
        access = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(32)
        refresh = "def50200" + secrets.token_hex(40)
        self.tokens[access] = {
            "user": user,
            "client": client_id,
            "expires": self.clock.now() + timedelta(seconds=TOKEN_LIFETIME),
        }
        self.refresh_tokens[refresh] = {"user": user, "client": client_id}
        return json_response(
            {"token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "access_token": access, "refresh_token": refresh}
        )

    def authorize(self, request: Request) -> Response:
        """Passport's approval page; the sandbox's signed-in person is the demo user."""
        values = request.args if request.method == "GET" else request.form
        client_id = values.get("client_id", "")
        redirect_uri = values.get("redirect_uri", "")
        state = values.get("state", "")
        if client_id not in self.clients:
            return _oauth_error("invalid_client", "Client authentication failed", 401)
        if values.get("response_type", "code") != "code":
            return _oauth_error(
                "unsupported_response_type", "The authorization server does not support this response type.", 400
            )
        if urlsplit(redirect_uri).scheme not in ("http", "https"):
            return _oauth_error("invalid_request", "The redirect_uri is missing or invalid.", 400)
        if request.method == "POST" or values.get("auto_approve") == "1":
            if values.get("decision", "approve") != "approve":
                return _redirect(redirect_uri, {"error": "access_denied", "state": state})
            code = "def50200" + secrets.token_hex(48)
            self.codes[code] = {
                "user": DEMO_CREDENTIALS["username"],
                "client": client_id,
                "redirect_uri": redirect_uri,
                "expires": self.clock.now() + timedelta(seconds=CODE_LIFETIME),
            }
            return _redirect(redirect_uri, {"code": code, "state": state})
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in (
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("response_type", "code"),
                ("state", state),
            )
        )
        page = f"""<!doctype html>
<html lang="tr"><head><meta charset="utf-8"><title>yenifaks — Yetkilendirme</title></head>
<body>
<h1>Yetkilendirme İsteği</h1>
<p>Uygulama (client {html.escape(client_id)}) hesabınıza erişmek istiyor.</p>
<form method="post" action="">
{hidden}
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>"""
        return Response(page, content_type="text/html; charset=utf-8")

    def _user(self, request: Request) -> str | Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        entry = self.tokens.get(token) if scheme.lower() == "bearer" else None
        if entry is None or entry["expires"] <= self.clock.now():
            return _message("Unauthenticated.", 401)
        return str(entry["user"])

    # --- faxes -----------------------------------------------------------------------------

    def fax_list(self, request: Request) -> Response:
        user = self._user(request)
        if isinstance(user, Response):
            return user
        body = request.get_json(silent=True) if request.is_json else {}
        body = body if isinstance(body, dict) else {}
        errors: dict[str, list[str]] = {}
        today = self.clock.now().astimezone(ISTANBUL).strftime("%Y-%m-%d")
        bounds = {}
        for name, default in (("start_date", f"{today} 00:00:00"), ("end_date", f"{today} 23:59:59")):
            value = body.get(name) or default
            if not isinstance(value, str) or not _STAMP.match(value):
                errors[name] = [f"{name.replace('_', ' ')} biçimi Y-m-d H:i:s ile eşleşmiyor."]
            else:
                bounds[name] = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ISTANBUL)
        if body.get("status") not in (None, "success", "pending", "failed"):
            errors["status"] = ["Seçili status geçersiz."]
        if body.get("type") not in (None, "incoming", "outgoing"):
            errors["type"] = ["Seçili type geçersiz."]
        if errors:
            return _invalid(errors)
        search = str(body.get("search") or "")
        matching = [
            fax
            for fax in sorted(self.faxes.values(), key=lambda f: f["created"], reverse=True)
            if fax["user"] == user
            and bounds["start_date"] <= fax["created"] <= bounds["end_date"]
            and (body.get("status") is None or self._status(fax) == body["status"])
            and (body.get("type") is None or fax["call_type"] == body["type"])
            and (not search or search in fax["phone"] or search in fax["did"])
        ]
        try:
            page = max(1, int(request.args.get("page", 1)))
        except ValueError:
            page = 1
        page = faulty_cursor(self.paging_fault, page, first=1, step=1)
        items = [self._render(fax) for fax in matching[(page - 1) * PER_PAGE : page * PER_PAGE]]
        items = poisoned(items, on=self.poison_record and page == 1, id_field="id", bad_field="created_at")
        if self.list_shape == "bare":
            return json_response(items)
        if self.list_shape in ("data", "faxes"):
            return json_response({self.list_shape: items})
        last_page = max(1, -(-len(matching) // PER_PAGE))
        base = request.base_url
        return json_response(
            {
                "current_page": page,
                "data": items,
                "first_page_url": f"{base}?page=1",
                "from": (page - 1) * PER_PAGE + 1 if items else None,
                "last_page": last_page,
                "last_page_url": f"{base}?page={last_page}",
                "next_page_url": f"{base}?page={page + 1}" if page < last_page else None,
                "path": base,
                "per_page": PER_PAGE,
                "prev_page_url": f"{base}?page={page - 1}" if page > 1 else None,
                "to": (page - 1) * PER_PAGE + len(items) if items else None,
                "total": len(matching),
            }
        )

    def _own_fax(self, request: Request, fax_id: int) -> dict[str, Any] | Response:
        user = self._user(request)
        if isinstance(user, Response):
            return user
        fax = self.faxes.get(fax_id)
        if fax is None:
            return _message("Not Found!", 404)
        if fax["user"] != user:
            return _message("This action is unauthorized.", 403)
        return fax

    def fax_detail(self, request: Request, fax_id: int) -> Response:
        fax = self._own_fax(request, fax_id)
        if isinstance(fax, Response):
            return fax
        return json_response({"fax": self._render(fax), "detail": self._attempts(fax)})

    def fax_download(self, request: Request, fax_id: int) -> Response:
        fax = self._own_fax(request, fax_id)
        if isinstance(fax, Response):
            return fax
        return Response(
            fax["content"],
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="fax-{fax_id}.pdf"'},
        )

    def fax_send(self, request: Request) -> Response:
        user = self._user(request)
        if isinstance(user, Response):
            return user
        body = request.get_json(silent=True) if request.is_json else None
        body = body if isinstance(body, dict) else {}
        errors: dict[str, list[str]] = {}
        if not body.get("did"):
            errors["did"] = ["did alanı gereklidir."]
        elif body["did"] != self.users[user]["did"]:
            errors["did"] = ["did değeri geçersiz."]
        phones = body.get("phones")
        if not isinstance(phones, list) or not phones:
            errors["phones"] = ["phones alanı gereklidir."]
        else:
            for index, phone in enumerate(phones):
                if not isinstance(phone, str) or not _NUMBER.match(phone):
                    errors[f"phones.{index}"] = [f"phones.{index} değeri geçersiz."]
        files = body.get("files")
        contents: list[bytes] = []
        if not isinstance(files, list) or not files:
            errors["files"] = ["files alanı gereklidir."]
        else:
            for index, encoded in enumerate(files):
                try:
                    content = base64.b64decode(str(encoded), validate=True)
                except (binascii.Error, ValueError):
                    content = b""
                if sniff_media_type(content) not in ACCEPTED_TYPES:
                    errors[f"files.{index}"] = [f"files.{index} {_FILE_TYPES_MESSAGE}"]
                contents.append(content)
        if errors:
            return _invalid(errors)
        assert isinstance(phones, list)  # checked above
        document = next((c for c in contents if c.startswith(b"%PDF-")), None) or pdf_bytes(
            f"Telsam fax to {', '.join(phones)}"
        )
        created = [
            self._add_fax(user=user, phone=phone, call_type="outgoing", created=self.clock.now(), content=document)
            for phone in phones
        ]
        return json_response({"process": True, "faxes": [self._render(fax) for fax in created]})

    # --- rendering ------------------------------------------------------------------------------

    def _status(self, fax: dict[str, Any]) -> str:
        if fax["settled"]:
            return str(fax["settled"])
        if (self.clock.now() - fax["created"]).total_seconds() < SEND_DELAY:
            return "pending"
        return "failed" if fax["phone"].endswith("9") else "success"

    def _render(self, fax: dict[str, Any]) -> dict[str, Any]:
        status = self._status(fax)
        return {
            "id": fax["id"],
            "phone": fax["phone"],
            "subject": None,
            "call_type": fax["call_type"],
            "status": status,
            "again": None if status == "pending" else (2 if status == "failed" else 1),
            "did": fax["did"],
            "created_at": _local(fax["created"]),
        }

    def _attempts(self, fax: dict[str, Any]) -> list[dict[str, Any]]:
        status = self._status(fax)
        if status == "pending":
            return []
        count = 2 if status == "failed" else 1
        incoming = fax["call_type"] == "incoming"
        return [
            {
                "id": 584337 + fax["id"] * 2 + n,
                "calldate": _local(fax["created"] + timedelta(seconds=20 + 34 * n)),
                "subject": None,
                "src": fax["phone"] if incoming else fax["did"],
                "dstnum": fax["did"] if incoming else fax["phone"],
                "disposition": "ANSWERED",
                "calltype": fax["call_type"],
                "status": "FAILED" if status == "failed" else "SUCCESS",
            }
            for n in range(count)
        ]


def _local(moment: datetime) -> str:
    return moment.astimezone(ISTANBUL).strftime("%Y-%m-%d %H:%M:%S")


def _redirect(uri: str, params: dict[str, str]) -> Response:
    separator = "&" if urlsplit(uri).query else "?"
    return Response("", status=302, headers={"Location": f"{uri}{separator}{urlencode(params)}"})
