"""Emulator of Verimor Bulutsantralim's fax API (``verimor-bulutsantralim-fax-api.md`` with NOTES.md).

Mounted at ``/verimor``. A sent fax waits in ``/fax_orders`` ("Bekliyor") for
60 s of sandbox time, then becomes an outbound fax detail record: successful,
except for numbers ending in 9. The demo account has 24 records over the last
three weeks (inbound ones with real PDF/TIFF documents).

The documented rate limit (2 requests per second, burst 10, then 429) is only
enforced when ``rate_limit`` is True (off by default, so test suites and the
demo never trip it by accident; ``reset()`` turns it off again).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from providers.files import PDF, TIFF, sniff_media_type

from .core import ProviderSandbox, json_response, text_response
from .media import fax_tiff_bytes, pdf_bytes
from .paging import faulty_cursor
from .poison import poisoned

DEMO_CREDENTIALS = {"key": "K12345678-1234-5678-4321-123456789012"}
DEMO_NUMBERS = ("902129630131", "908508850000")  # the account's fax numbers (local_station_id)

ISTANBUL = ZoneInfo("Europe/Istanbul")
ORDER_DELAY = 60  # seconds a fax waits in /fax_orders
DOCUMENT_URL_LIFETIME = 3600
RATE, BURST = 2.0, 10.0
ACCEPTED_TYPES = {PDF, TIFF, "image/png", "image/jpeg"}
_FILTER_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$")
_DATA_URI = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.DOTALL)
_DIRECTIONS = {"inbound": "Gelen", "outbound": "Giden", "internal": "Santral içi"}


class VerimorSandbox(ProviderSandbox):
    name = "verimor"
    demo_credentials: ClassVar[dict[str, str]] = {"api_key": DEMO_CREDENTIALS["key"]}
    demo_options: ClassVar[dict[str, Any]] = {"fax_numbers": list(DEMO_NUMBERS)}

    def reset(self) -> None:
        now = self.clock.now()
        self.keys = {DEMO_CREDENTIALS["key"]}
        self.rate_limit = False
        self.paginate_orders = False  # serve {fax_orders, pagination} even without page/limit
        self.paging_fault: str | None = None  # one of paging.PAGING_FAULTS
        self.poison_record = False  # see .poison
        self.bucket = BURST
        self.bucket_at = now
        self.next_order_id = 20212
        self.orders: dict[int, dict[str, Any]] = {}
        self.documents: dict[str, tuple[str, datetime]] = {}  # token -> (call_uuid, expiry)
        self.records: list[dict[str, Any]] = [self._demo_fdr(i, now) for i in range(24)]

    def _demo_fdr(self, index: int, now: datetime) -> dict[str, Any]:
        direction = ("inbound", "outbound", "inbound", "internal")[index % 4]
        start = now - timedelta(hours=2 + 21 * index)
        success = index % 5 != 3
        remote = f"90212320{5070 + index:04d}"
        if direction == "inbound":
            caller, destination = remote, DEMO_NUMBERS[0]
            content, media = (
                (pdf_bytes(f"Verimor demo fax {index}"), PDF)
                if index % 8 == 0
                else (fax_tiff_bytes(f"verimor-demo-{index}"), TIFF)
            )
        else:
            caller, destination = DEMO_NUMBERS[0], remote
            content, media = pdf_bytes(f"Verimor sent fax {index}"), PDF
        return dict(
            call_uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"verimor-demo-{index}")),
            direction=direction,
            caller=caller,
            destination=destination,
            header="Bulutsantralim",
            start=start,
            success=success,
            content=content,
            media=media,
        )

    def rules(self) -> Iterable[Rule]:
        return [
            Rule("/fax_orders", endpoint="fax_orders", methods=["GET", "POST"]),
            Rule("/fdrs", endpoint="fdrs", methods=["GET"]),
            Rule("/fax_document_url/", endpoint="fax_document_url", methods=["POST"]),
            Rule("/fax_documents/<token>", endpoint="fax_document", methods=["GET"]),
        ]

    def expired_token_response(self) -> Response:
        return text_response("Gecersiz anahtar", status=400)

    # --- shared checks ---------------------------------------------------------------

    def _guard(self, request: Request) -> Response | None:
        """Rate limit (when enabled), then the key: query string, or form body for a POST."""
        if self.rate_limit:
            now = self.clock.now()
            self.bucket = min(BURST, self.bucket + (now - self.bucket_at).total_seconds() * RATE)
            self.bucket_at = now
            if self.bucket < 1:
                wait = ceil((1 - self.bucket) / RATE)
                return Response(
                    "Too Many Requests", status=429, content_type="text/plain", headers={"Retry-After": str(wait)}
                )
            self.bucket -= 1
        key = request.args.get("key") or (request.form.get("key") if request.method == "POST" else None)
        if key not in self.keys:
            return text_response(f"Gecersiz anahtar: {key or ''}", status=400)
        return None

    def _settle(self) -> None:
        """Orders older than ORDER_DELAY become fax detail records."""
        now = self.clock.now()
        for order_id in [i for i, o in self.orders.items() if (now - o["created_at"]).total_seconds() >= ORDER_DELAY]:
            order = self.orders.pop(order_id)
            start = order["created_at"] + timedelta(seconds=ORDER_DELAY - 20)
            self.records.insert(
                0,
                dict(
                    call_uuid=order["call_uuid"],
                    direction="outbound",
                    caller=order["local_station_id"],
                    destination=order["remote_station_id"],
                    header=order["local_station_header"],
                    start=start,
                    success=not order["remote_station_id"].endswith("9"),
                    content=order["content"],
                    media=order["media"],
                ),
            )

    # --- fax orders --------------------------------------------------------------------

    def fax_orders(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        self._settle()
        if request.method == "POST":
            return self._send(request)
        items = [
            {
                "id": order["id"],
                "created_at": _local(order["created_at"]),
                "local_station_id": order["local_station_id"],
                "remote_station_id": order["remote_station_id"],
                "status": "Bekliyor",
            }
            for order in sorted(self.orders.values(), key=lambda o: o["id"])
        ]
        if not (self.paginate_orders or "page" in request.args or "limit" in request.args):
            return json_response(items)
        page, limit = self._page_and_limit(request)
        return json_response(
            {"fax_orders": items[(page - 1) * limit : page * limit], "pagination": _pagination(len(items), page, limit)}
        )

    def _send(self, request: Request) -> Response:
        if request.mimetype != "application/x-www-form-urlencoded":
            return text_response("Content-Type application/x-www-form-urlencoded olmalı", status=400)
        form = request.form
        for name in ("local_station_header", "remote_station_id", "filedata"):
            if not form.get(name, "").strip():
                return text_response(f"Eksik parametre: {name}", status=400)
        local_station_id = form.get("local_station_id", "").strip() or DEMO_NUMBERS[0]
        if local_station_id not in DEMO_NUMBERS:
            return text_response(f"Gecersiz local_station_id: {local_station_id}", status=400)
        filedata = form["filedata"].strip()
        match = _DATA_URI.match(filedata)
        encoded = match.group("data") if match else filedata
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return text_response("invalid base64", status=400)
        media = sniff_media_type(content)
        if not content or media not in ACCEPTED_TYPES:
            return text_response("desteklenmeyen dosya türü", status=400)
        order: dict[str, Any] = {
            "id": self.next_order_id,
            "created_at": self.clock.now(),
            "local_station_id": local_station_id,
            "remote_station_id": form["remote_station_id"].strip(),
            "local_station_header": form["local_station_header"].strip(),
            "call_uuid": str(uuid.uuid4()),
            "content": content,
            "media": media,
        }
        self.next_order_id += 1
        self.orders[order["id"]] = order
        return text_response(str(order["id"]))

    # --- fax detail records ------------------------------------------------------------

    def fdrs(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        self._settle()
        args = request.args
        bounds: dict[str, datetime] = {}
        for name in ("start_stamp_from", "start_stamp_to"):
            if name in args:
                if not _FILTER_TIME.match(args[name]):
                    return text_response(f"Gecersiz tarih: {name} “2017-08-03 12:30:32 UTC” formatında olmalı", 400)
                bounds[name] = datetime.strptime(args[name][:-4], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        if "start_stamp_from" in bounds:
            upper = bounds.get("start_stamp_to", self.clock.now())
            if upper - bounds["start_stamp_from"] > timedelta(days=31):
                return text_response("Tarih aralığı 31 günden uzun olamaz", 400)
        direction = args.get("direction")
        if direction is not None and direction not in _DIRECTIONS:
            return text_response("direction inbound, outbound veya internal olmalı", 400)
        success = args.get("success")
        if success is not None and success not in ("true", "false"):
            return text_response("success true veya false olmalı", 400)
        matching = [
            fdr
            for fdr in sorted(self.records, key=lambda f: f["start"], reverse=True)
            if ("start_stamp_from" not in bounds or fdr["start"] >= bounds["start_stamp_from"])
            and ("start_stamp_to" not in bounds or fdr["start"] <= bounds["start_stamp_to"])
            and (direction is None or fdr["direction"] == direction)
            and (success is None or fdr["success"] == (success == "true"))
            and (not args.get("caller_id_number") or fdr["caller"] == args["caller_id_number"])
            and (not args.get("original_destination") or fdr["destination"] == args["original_destination"])
        ]
        page, limit = self._page_and_limit(request)
        items = [_render_fdr(fdr) for fdr in matching[(page - 1) * limit : page * limit]]
        items = poisoned(
            items, on=self.poison_record and page == 1, id_field="call_uuid", bad_field="start_stamp", as_text=True
        )
        return json_response({"fdrs": items, "pagination": _pagination(len(matching), page, limit)})

    def _page_and_limit(self, request: Request) -> tuple[int, int]:
        page, limit = _requested_page_and_limit(request)
        return faulty_cursor(self.paging_fault, page, first=1, step=1), limit

    # --- documents ----------------------------------------------------------------------

    def fax_document_url(self, request: Request) -> Response:
        refused = self._guard(request)
        if refused:
            return refused
        self._settle()
        call_uuid = request.form.get("call_uuid", "").strip()
        if not any(fdr["call_uuid"] == call_uuid for fdr in self.records):
            return text_response(f"cannot find call with call_uuid {call_uuid}", status=400)
        token = secrets.token_urlsafe(24)
        self.documents[token] = (call_uuid, self.clock.now() + timedelta(seconds=DOCUMENT_URL_LIFETIME))
        return text_response(f"{request.host_url}{self.name}/fax_documents/{token}")

    def fax_document(self, request: Request, token: str) -> Response:
        entry = self.documents.get(token)
        if entry is None:
            return text_response("NoSuchKey", status=404)
        call_uuid, expires = entry
        if expires <= self.clock.now():
            return text_response("Request has expired", status=403)
        fdr = next(f for f in self.records if f["call_uuid"] == call_uuid)
        extension = "pdf" if fdr["media"] == PDF else "tif"
        return Response(
            fdr["content"],
            content_type=fdr["media"],
            headers={"Content-Disposition": f'attachment; filename="{call_uuid}.{extension}"'},
        )


def _requested_page_and_limit(request: Request) -> tuple[int, int]:
    """``limit``: default 10, at least 10, at most 100 (out-of-range values are clamped)."""
    try:
        limit = int(request.args.get("limit", 10))
    except ValueError:
        limit = 10
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        page = 1
    return max(1, page), min(100, max(10, limit))


def _pagination(total: int, page: int, limit: int) -> dict[str, int]:
    return {"page": page, "total_count": total, "total_pages": max(1, ceil(total / limit)), "limit": limit}


def _local(moment: datetime) -> str:
    return moment.astimezone(ISTANBUL).strftime("%Y-%m-%d %H:%M:%S")


def _render_fdr(fdr: dict[str, Any]) -> dict[str, Any]:
    duration = 15 if fdr["success"] else 4
    pages = "1 / 1" if fdr["success"] else "0 / 1"
    return {
        "call_uuid": fdr["call_uuid"],
        "direction": _DIRECTIONS[fdr["direction"]],
        "caller_id_number": fdr["caller"],
        "local_station_header": fdr["header"],
        "original_destination": fdr["destination"],
        "pages_count": pages,
        "transfer_rate": 14400 if fdr["success"] else 0,
        "start_stamp": _local(fdr["start"]),
        "answer_stamp": _local(fdr["start"]),
        "end_stamp": _local(fdr["start"] + timedelta(seconds=duration)),
        "duration": duration,
        "success": fdr["success"],
        "result": "Başarılı" if fdr["success"] else "Başarısız",
    }
