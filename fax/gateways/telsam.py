"""Telsam yenifaks: one call with the documents in base64; follow it by id; incoming in the same list."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.provider_specs.telsam import TELSAM
from fax.models import Direction, Fax
from providers.files import BMP, JPEG, OLE, PDF, PNG, TIFF, ZIP
from providers.records import OnSkip
from providers.telsam import TelsamClient

from .base import MB, Capabilities, Document, Gateway, Incoming, Submitted, Tracked, digits, raw_record

STATUSES = {"delivered": "sent", "failed": "failed", "pending": "sending"}
SLACK = timedelta(minutes=2)  # clock difference allowed when matching a lost send in the list
AHEAD = timedelta(days=1)  # the provider's clock may run ahead of ours: never cut the list at our "now"


class TelsamGateway(Gateway[TelsamClient]):
    spec = TELSAM
    capabilities = Capabilities(
        several_recipients=True,
        schedule=False,
        status=True,
        outgoing_list=True,
        incoming_list=True,
        download=True,
        retry=False,
        cancel=False,
        quality=False,
        upload_types=frozenset({PDF, TIFF, PNG, JPEG, BMP, OLE, ZIP}),
        transmit_types=frozenset({PDF, TIFF, PNG, JPEG, BMP, OLE, ZIP}),
        max_file_bytes=10 * MB,  # the document names no limit: we keep to what the others allow
        office_files=True,
    )
    field_map = {"did": "our_number", "phones": "recipients", "files": "files"}

    def send(self, *, fax: Fax, documents: list[Document], fine: bool, scheduled_at: datetime | None) -> Submitted:
        faxes = self.client.fax_send(
            did=fax.our_number, phones=[fax.remote_number], files=[d.content for d in documents]
        )
        mine = next((f for f in faxes if digits(f.phone) == digits(fax.remote_number)), faxes[0] if faxes else None)
        if mine is None:
            raise self.client.transport.unexpected("send answer without a fax for the number")
        return Submitted(str(mine.id), mine.raw_status, STATUSES.get(mine.status, "sending"))

    def track(self, fax: Fax) -> Tracked:
        detail = self.client.fax_detail(int(fax.provider_id))
        return Tracked(STATUSES.get(detail.fax.status, "sending"), detail.fax.raw_status)

    def find_sent(self, fax: Fax, *, since: datetime) -> Submitted | None:
        known = _known_ids(fax)
        for item in self.client.iter_faxes(
            call_type="outgoing", start_date=since - SLACK, end_date=timezone.now() + AHEAD
        ):
            if digits(item.phone) == digits(fax.remote_number) and str(item.id) not in known:
                return Submitted(str(item.id), item.raw_status, STATUSES.get(item.status, "sending"))
        return None

    def incoming(self, *, since: datetime, on_skip: OnSkip | None = None) -> list[Incoming]:
        return [
            Incoming(str(item.id), item.phone, item.did, item.created_at, item.raw_status, raw=raw_record(item))
            for item in self.client.iter_faxes(
                call_type="incoming", start_date=since, end_date=timezone.now() + AHEAD, on_skip=on_skip
            )
        ]

    def incoming_document(self, item: Fax) -> Document:
        return self._download(item.provider_id)

    def sent_document(self, fax: Fax) -> Document:
        return self._download(fax.provider_id)

    def _download(self, provider_id: str) -> Document:
        with self.client.fax_download(int(provider_id)) as document:
            return Document(document.read(), PDF, document.filename or f"fax-{provider_id}.pdf")


def _known_ids(fax: Fax) -> set[str]:
    return set(
        Fax.objects.filter(account_id=fax.account_id, direction=Direction.OUTGOING)
        .exclude(provider_id="")
        .values_list("provider_id", flat=True)
    )
