"""Telphin: multipart send from the fax extension; status, retry and cancel by message id."""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.provider_specs.telphin import TELPHIN
from fax.models import Direction, Fax
from providers.files import EXTENSIONS, JPEG, PDF, PNG, TIFF
from providers.records import OnSkip
from providers.telphin import TelphinClient

from .base import MB, Capabilities, Document, Gateway, Incoming, Submitted, Tracked, digits, raw_record

STATUSES = {
    "pending": "sending",
    "sending": "sending",
    "delivered": "sent",
    "failed": "failed",
    "canceled": "cancelled",  # the provider's spelling -> ours
}
# telphin-fax-api.txt, "Repeat and cancel sending": retry from failed; cancel from failed or ready_to_send.
RETRY_FROM = {"failed"}
CANCEL_FROM = {"failed", "ready_to_send"}
SLACK = timedelta(minutes=2)


class TelphinGateway(Gateway[TelphinClient]):
    spec = TELPHIN
    capabilities = Capabilities(
        several_recipients=False,
        schedule=False,
        status=True,
        outgoing_list=True,
        incoming_list=True,
        download=False,
        retry=True,
        cancel=True,
        quality=False,
        upload_types=frozenset({PDF, TIFF, PNG, JPEG}),
        transmit_types=frozenset({PDF, TIFF}),
        max_file_bytes=10 * MB,  # "The maximum file size is 10 megabytes"
        needs_our_number=False,
    )
    field_map = {"file": "files", "dst_num": "recipients"}

    def send(self, *, fax: Fax, documents: list[Document], fine: bool, scheduled_at: datetime | None) -> Submitted:
        [document] = documents
        sent = self.client.fax_send(
            dst_num=fax.remote_number, content=document.content, filename=f"fax.{EXTENSIONS[document.media_type]}"
        )
        return Submitted(str(sent.id), sent.raw_status, STATUSES.get(sent.status, "sending"))

    def track(self, fax: Fax) -> Tracked:
        return _tracked(self.client.fax_out_status(int(fax.provider_id)))

    def find_sent(self, fax: Fax, *, since: datetime) -> Submitted | None:
        known = set(
            Fax.objects.filter(account_id=fax.account_id, direction=Direction.OUTGOING)
            .exclude(provider_id="")
            .values_list("provider_id", flat=True)
        )
        for item in self.client.fax_out_list():
            recent = item.datetime is None or item.datetime >= since - SLACK
            if digits(item.dst_num) == digits(fax.remote_number) and recent and str(item.id) not in known:
                return Submitted(str(item.id), item.raw_status, STATUSES.get(item.status, "sending"))
        return None

    def incoming(self, *, since: datetime, on_skip: OnSkip | None = None) -> list[Incoming]:
        return [
            Incoming(item.uuid, item.caller_id, item.destination, item.datetime, raw=raw_record(item))
            for item in self.client.fax_in_list(on_skip=on_skip)
            if item.datetime is None or item.datetime >= since
        ]

    def incoming_document(self, item: Fax) -> Document:
        with self.client.fax_in_file(item.provider_id) as document:
            content = document.read()
        media_type = TIFF if content.startswith((b"II*\x00", b"MM\x00*")) else PDF
        return Document(content, media_type, f"fax-{item.provider_id}.{EXTENSIONS[media_type]}")

    @classmethod
    def can_retry(cls, fax: Fax) -> bool:
        return bool(fax.provider_id) and fax.provider_status.strip().lower() in RETRY_FROM

    @classmethod
    def can_cancel(cls, fax: Fax) -> bool:
        return bool(fax.provider_id) and fax.provider_status.strip().lower() in CANCEL_FROM

    def retry(self, fax: Fax) -> Tracked:
        return _tracked(self.client.fax_retry(int(fax.provider_id)))

    def cancel(self, fax: Fax) -> Tracked:
        return _tracked(self.client.fax_cancel(int(fax.provider_id)))


def _tracked(item: object) -> Tracked:
    return Tracked(STATUSES.get(getattr(item, "status", ""), "sending"), getattr(item, "raw_status", ""))
