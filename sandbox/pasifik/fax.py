"""Fax: fax/upload/, fax/submit/, fax/query/, fax/query/report/,
fax/query/inbox/, fax/download/.

A sent fax waits, then each recipient settles ``FAX_DELIVERY_SECONDS`` of
sandbox time after the fax is due: numbers ending in 9 fail, numbers ending
in 8 keep waiting until the validity ``period`` ends and then fail, the rest
are delivered. ``fax/submit/`` answers HTTP 200 with ``"id": "-1"`` on any
failure (NOTES.md).

Received faxes come from the clock: every ``INBOX_SLOT_HOURS`` of sandbox time
may bring one, so an inbox poll sees new faxes as time advances. Downloads are
real documents: a CCITT G4 TIFF or a PDF.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .. import media
from ..core import json_response
from ..poison import poisoned
from .common import (
    GENERAL_ERROR,
    UTC_DATETIME,
    ApiError,
    PasifikBase,
    invalid,
    optional_bool,
    optional_datetime,
    optional_int,
    required_str,
    seeded,
    translate,
    turkish_date_range,
    turkish_time,
)

DEMO_FAX_NUMBERS = ("902125550100",)
FAX_DELIVERY_SECONDS = 60
FAX_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
FAX_UPLOAD_TYPES = ("pdf", "tif", "tiff", "jpg", "jpeg", "png", "gif", "doc", "docx", "txt")
INBOX_SLOT_HOURS = 6
INBOX_MAX_DAYS = 366
MAX_PERIOD_MINUTES = 1440

_MAGIC = {
    "pdf": (b"%PDF",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG",),
    "gif": (b"GIF8",),
}
_NUMBER = re.compile(r"^\+?\d{7,15}$")
_RXFAX = re.compile(r"^rxfax-([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class FaxDocument:
    filename: str  # the name the provider gave it: "<uuid>.<ext>"
    content: bytes | None  # None for demo documents, rendered on download
    pages: int


@dataclass
class FaxJob:
    fax_id: int
    sender: str
    recipients: list[str]
    filename: str
    created: datetime
    due: datetime
    expires: datetime
    is_scheduled: bool
    pages: int

    def counts(self, now: datetime) -> dict[str, int]:
        settles = self.due + timedelta(seconds=FAX_DELIVERY_SECONDS)
        counts = {"delivered": 0, "undelivered": 0, "waiting": 0}
        for number in self.recipients:
            if number.endswith("8"):
                counts["undelivered" if now >= self.expires else "waiting"] += 1
            elif now < settles:
                counts["waiting"] += 1
            else:
                counts["undelivered" if number.endswith("9") else "delivered"] += 1
        return counts


@dataclass
class InboxFax:
    fax_id: int
    cli: str
    received: datetime
    is_mailed: bool
    filename: str
    pages: int


def inbox_fax(slot: int) -> InboxFax | None:
    """The fax received in ``slot`` (hours since the epoch / INBOX_SLOT_HOURS), if any."""
    rng = seeded("pasifik-fax-inbox", slot)
    if rng.random() < 0.4:
        return None
    received = datetime.fromtimestamp(slot * INBOX_SLOT_HOURS * 3600, UTC) + timedelta(
        seconds=rng.randint(0, INBOX_SLOT_HOURS * 3600 - 1)
    )
    # The first group of the uuid1-like name carries the slot, so a download finds it again.
    name = f"rxfax-{slot:08x}-{rng.getrandbits(16):04x}-11f1-{rng.getrandbits(16):04x}-{rng.getrandbits(48):012x}.tiff"
    cli = rng.choice(("90212", "90216", "90312", "90232")) + f"{rng.randint(0, 9999999):07d}"
    return InboxFax(slot, cli, received, rng.random() < 0.3, name, rng.randint(1, 3))


class FaxApi(PasifikBase):
    fax_documents: dict[str, FaxDocument]
    fax_jobs: dict[int, FaxJob]
    poison_record = False  # see ..poison; reset by PasifikSandbox.reset

    def reset_fax(self) -> None:
        self.fax_documents = {}
        self.fax_jobs = {}
        self._next_fax_id = 200001
        self._fax_names = seeded("pasifik-fax-names")
        self._seed_demo_faxes()

    def fax_rules(self) -> list[Rule]:
        return [
            self.api_rule("fax/upload/", "fax_upload"),
            self.api_rule("fax/submit/", "fax_submit"),
            self.api_rule("fax/query/", "fax_query"),
            self.api_rule("fax/query/report/", "fax_query_report"),
            self.api_rule("fax/query/inbox/", "fax_query_inbox"),
            self.api_rule("fax/download/", "fax_download"),
        ]

    # --- endpoints ----------------------------------------------------------

    def fax_upload(self, request: Request, lang: str) -> Response:
        self.authenticate(request)
        self.check_accept(request)
        if request.mimetype != "multipart/form-data":  # "This service accept only multipart/form-data."
            raise ApiError(400, GENERAL_ERROR)
        upload = request.files.get("filename")
        if upload is None or not upload.filename:
            raise invalid("filename", "No file was submitted.")
        content = upload.read()
        extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        if extension not in FAX_UPLOAD_TYPES:
            raise invalid("filename", f"Unsupported file type; allowed: {', '.join(FAX_UPLOAD_TYPES)}.")
        if not content:
            raise invalid("filename", "The submitted file is empty.")
        if len(content) > FAX_MAX_UPLOAD_BYTES:
            raise invalid("filename", f"The file is larger than {FAX_MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        if extension in _MAGIC and not content.startswith(_MAGIC[extension]):
            raise invalid("filename", f"The file is not a valid {extension.upper()} file.")
        name = f"{self._new_uuid()}.{extension}"
        self.fax_documents[name] = FaxDocument(name, content, _count_pages(extension, content))
        return json_response({"filename": name, "message": translate("OK", lang), "code": 200})

    def fax_submit(self, request: Request, lang: str) -> Response:
        body = self.json_body(request)
        try:
            job = self._accept_fax(body)
        except ApiError as error:
            reason = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.errors.items()) or error.description
            return json_response({"id": "-1", "code": error.status, "description": translate(reason, lang)})
        return json_response({"id": str(job.fax_id), "code": 200, "description": translate("OK", lang)})

    def fax_query(self, request: Request, lang: str) -> Response:
        body = self.json_body(request)
        raw = required_str(body, "fax_id")
        job = self.fax_jobs.get(int(raw)) if raw.lstrip("-").isdigit() else None
        if job is None:
            raise ApiError(404)
        return json_response(self._fax_summary(job))

    def fax_query_report(self, request: Request, lang: str) -> Response:
        start, end = turkish_date_range(self.json_body(request))
        jobs = sorted((j for j in self.fax_jobs.values() if start <= j.created < end), key=lambda j: j.created)
        return json_response([self._fax_summary(j) for j in jobs])  # oldest first, as the example

    def fax_query_inbox(self, request: Request, lang: str) -> Response:
        start, end = turkish_date_range(self.json_body(request))
        now = self.now()
        start = max(start, now - timedelta(days=INBOX_MAX_DAYS))
        end = min(end, now)
        rows = []
        slot_seconds = INBOX_SLOT_HOURS * 3600
        for slot in range(int(start.timestamp()) // slot_seconds, int(end.timestamp()) // slot_seconds + 1):
            fax = inbox_fax(slot)
            if fax is None or not start <= fax.received < end:
                continue
            rows.append(
                {
                    "cli": fax.cli,
                    "cld": DEMO_FAX_NUMBERS[0],
                    "is_mailed": fax.is_mailed,
                    "datetime": turkish_time(fax.received),
                    "fax_id": fax.fax_id,
                    "fax_filename": fax.filename,
                }
            )
        return json_response(poisoned(rows, on=self.poison_record, id_field="fax_id", bad_field="datetime"))

    def fax_download(self, request: Request, lang: str) -> Response:
        body = self.json_body(request, binary=True)
        sender = required_str(body, "from")
        filename = required_str(body, "filename")
        file_format = required_str(body, "format")
        if file_format not in ("tiff", "pdf"):
            raise invalid("format", "Must be one of tiff, pdf.")
        directory = body.get("directory") or "txfax"
        if directory not in ("txfax", "rxfax"):
            raise invalid("directory", "Must be one of rxfax, txfax.")
        enhanced = optional_bool(body, "is_enhanced")
        if "/" in filename or "\\" in filename:
            raise invalid("filename", "Basename only, without directory.")
        stem = filename.rsplit(".", 1)[0] if "." in filename else filename
        if sender not in DEMO_FAX_NUMBERS:
            raise ApiError(404)
        pages, original = self._find_document(directory, stem)
        if file_format == "pdf":
            if original is not None and original.startswith(b"%PDF"):
                content = original
            else:
                lines = tuple((f"Fax document {stem}", f"Page {n}") for n in range(1, pages + 1))
                content = media.pdf_bytes(f"Pasifik Telekom fax {directory}", lines)
            content_type = "application/pdf"
        else:
            content, content_type = media.fax_tiff_bytes(stem, pages, enhanced), "image/tiff"
        return Response(
            content,
            status=200,
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{stem}.{file_format}"'},
        )

    # --- helpers ------------------------------------------------------------

    def _accept_fax(self, body: dict[str, Any]) -> FaxJob:
        sender = required_str(body, "from")
        if sender not in DEMO_FAX_NUMBERS:
            raise invalid("from", f"Unknown fax number: {sender}")
        recipients = [n.strip() for n in required_str(body, "to").split(",") if n.strip()]
        for number in recipients:
            if not _NUMBER.match(number):
                raise invalid("to", f"Invalid fax number: {number}")
        if not recipients:
            raise invalid("to", "This field is required.")
        filename = required_str(body, "filename")
        document = self.fax_documents.get(filename)
        if document is None:
            raise invalid("filename", f"File not found: {filename}")
        optional_bool(body, "is_enhanced")
        period = optional_int(body, "period", MAX_PERIOD_MINUTES) or 0
        if period <= 0:
            raise invalid("period", "Ensure this value is greater than 0.")
        now = self.now()
        scheduled = optional_datetime(body, "scheduled_delivery_time", UTC_DATETIME)
        due = max(now, scheduled) if scheduled else now
        return self._store_job(sender, recipients, document, now, due, min(period, MAX_PERIOD_MINUTES), scheduled)

    def _store_job(
        self,
        sender: str,
        recipients: list[str],
        document: FaxDocument,
        created: datetime,
        due: datetime,
        period: int,
        scheduled: datetime | None,
    ) -> FaxJob:
        job = FaxJob(
            fax_id=self._next_fax_id,
            sender=sender,
            recipients=recipients,
            filename=document.filename,
            created=created,
            due=due,
            expires=due + timedelta(minutes=period),
            is_scheduled=scheduled is not None and scheduled > created,
            pages=document.pages,
        )
        self.fax_jobs[job.fax_id] = job
        self._next_fax_id += 1
        return job

    def _fax_summary(self, job: FaxJob) -> dict[str, Any]:
        counts = self.fax_jobs[job.fax_id].counts(self.now())
        return {
            "count": len(job.recipients),
            "delivered": counts["delivered"],
            "sender": job.sender,
            "succeeded": True,
            "created": turkish_time(job.created),
            "fax_filename": job.filename,
            "undelivered": counts["undelivered"],
            "waiting": counts["waiting"],
            "cost": float(job.pages),
            "is_scheduled": job.is_scheduled,
            "fax_id": job.fax_id,
            "scheduled_datetime": turkish_time(job.due),
        }

    def _find_document(self, directory: str, stem: str) -> tuple[int, bytes | None]:
        """(pages, uploaded bytes or None) of a sent or received fax, or 404."""
        if directory == "txfax":
            for document in self.fax_documents.values():
                if document.filename.rsplit(".", 1)[0] == stem:
                    return document.pages, document.content
            raise ApiError(404)
        match = _RXFAX.match(stem)
        fax = inbox_fax(int(match.group(1), 16)) if match else None
        if fax is None or fax.filename.rsplit(".", 1)[0] != stem or fax.received > self.now():
            raise ApiError(404)
        return fax.pages, None

    def _new_uuid(self) -> str:
        return str(uuid.UUID(int=self._fax_names.getrandbits(128), version=4))

    def _seed_demo_faxes(self) -> None:
        """A few faxes sent in the last days, settled, with documents to download."""
        rng = seeded("pasifik-fax-demo")
        now = self.now()
        for index in range(5):
            created = now - timedelta(days=5 - index, hours=rng.randint(1, 6))
            extension = rng.choice(("pdf", "doc", "jpg"))
            document = FaxDocument(f"{self._new_uuid()}.{extension}", None, rng.randint(1, 3))
            self.fax_documents[document.filename] = document
            recipients = [f"90216{rng.randint(1000000, 9999999)}" for _ in range(rng.randint(1, 3))]
            self._store_job(DEMO_FAX_NUMBERS[0], recipients, document, created, created, MAX_PERIOD_MINUTES, None)


def _count_pages(extension: str, content: bytes) -> int:
    if extension == "pdf":
        return max(1, len(re.findall(rb"/Type\s*/Page(?!s)", content)))
    return 1
