"""Pasifik Telekom: upload the document, then submit it by the name the upload gave."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.provider_specs.pasifik import PASIFIK
from fax.models import Fax
from providers.files import EXTENSIONS, JPEG, PDF, PNG, TIFF
from providers.pasifik import PasifikClient
from providers.records import OnSkip

from .base import MB, Capabilities, Document, Gateway, Incoming, Submitted, Tracked, raw_record

ISTANBUL = ZoneInfo("Europe/Istanbul")  # the provider's calendar for report date ranges


class PasifikGateway(Gateway[PasifikClient]):
    spec = PASIFIK
    capabilities = Capabilities(
        several_recipients=True,
        schedule=True,
        status=True,
        outgoing_list=True,
        incoming_list=True,
        download=True,
        retry=False,
        cancel=False,
        quality=True,
        upload_types=frozenset({PDF, TIFF, PNG, JPEG}),
        transmit_types=frozenset({PDF, TIFF, PNG, JPEG}),
        max_file_bytes=10 * MB,
    )
    poll_only_with_numbers = True
    field_map = {
        "to": "recipients",
        "from": "our_number",
        "filename": "files",
        "scheduled_delivery_time": "scheduled_at",
    }

    def send(self, *, fax: Fax, documents: list[Document], fine: bool, scheduled_at: datetime | None) -> Submitted:
        [document] = documents
        upload = self.client.fax_upload(
            file=document.content,
            filename=f"fax.{EXTENSIONS[document.media_type]}",
            content_type=document.media_type,
        )
        # The uploaded name is unique: it finds this send in the reports if the submit's answer is lost.
        self.remember_before_submit(fax, {"filename": upload.filename})
        result = self.client.fax_submit(
            sender=fax.our_number,
            to=fax.remote_number,
            filename=upload.filename,
            is_enhanced=fine,
            scheduled_delivery_time=scheduled_at,
        )
        return Submitted(
            provider_id=str(result.id), provider_status=result.description or "", ref={"filename": upload.filename}
        )

    def track(self, fax: Fax) -> Tracked:
        return _tracked(self.client.fax_query(fax_id=fax.provider_id))

    def find_sent(self, fax: Fax, *, since: datetime) -> Submitted | None:
        filename = fax.provider_ref.get("filename")
        if not filename:
            return None  # the upload never answered: nothing can have been submitted
        start = since.astimezone(ISTANBUL).date() - timedelta(days=1)
        end = timezone.now().astimezone(ISTANBUL).date()
        for report in self.client.fax_query_report(start_date=start, end_date=end):
            if report.filename == filename:
                tracked = _tracked(report)
                return Submitted(str(report.fax_id), tracked.provider_status, tracked.status, {"filename": filename})
        return None

    def incoming(self, *, since: datetime, on_skip: OnSkip | None = None) -> list[Incoming]:
        start = since.astimezone(ISTANBUL).date()
        end = timezone.now().astimezone(ISTANBUL).date()
        return [
            Incoming(
                provider_id=str(item.fax_id),
                remote_number=item.cli,
                our_number=item.cld,
                received_at=item.received_at,
                ref={"filename": item.filename, "cld": item.cld},
                raw=raw_record(item),
            )
            for item in self.client.fax_query_inbox(start_date=start, end_date=end, on_skip=on_skip)
        ]

    def incoming_document(self, item: Fax) -> Document:
        return self._download(item.provider_ref["cld"] or item.our_number, item.provider_ref["filename"], "rxfax")

    def sent_document(self, fax: Fax) -> Document:
        return self._download(fax.our_number, fax.provider_ref["filename"], "txfax")

    def _download(self, sender: str, filename: str, directory: str) -> Document:
        with self.client.fax_download(sender=sender, filename=filename, format="pdf", directory=directory) as download:
            content = b"".join(download)
            return Document(content, PDF, download.filename or "fax.pdf")


def _tracked(report: object) -> Tracked:
    count = getattr(report, "count", 0)
    delivered = getattr(report, "delivered", 0)
    undelivered = getattr(report, "undelivered", 0)
    waiting = getattr(report, "waiting", 0)
    text = f"delivered {delivered}/{count}, undelivered {undelivered}, waiting {waiting}"
    if waiting or not count:
        return Tracked("sending", text)
    return Tracked("failed" if undelivered else "sent", text)
