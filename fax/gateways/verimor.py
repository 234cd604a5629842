"""Verimor: a form-encoded data URI per send; pending orders, then fax detail records (fdrs)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.provider_options import options_of
from accounts.provider_specs.verimor import VERIMOR
from fax.models import Direction, Fax
from providers.files import EXTENSIONS, JPEG, PDF, PNG, TIFF
from providers.records import OnSkip
from providers.verimor import VerimorClient

from .base import MB, Capabilities, Document, Gateway, Incoming, Submitted, Tracked, digits, raw_record

SLACK = timedelta(minutes=5)
MAX_WINDOW = timedelta(days=30)  # the fdrs filter allows 31 days


class VerimorGateway(Gateway[VerimorClient]):
    spec = VERIMOR
    capabilities = Capabilities(
        several_recipients=False,
        schedule=False,
        status=True,
        outgoing_list=True,
        incoming_list=True,
        download=True,
        retry=False,
        cancel=False,
        quality=False,
        upload_types=frozenset({PDF, TIFF, PNG, JPEG}),
        transmit_types=frozenset({PDF, TIFF, PNG, JPEG}),
        max_file_bytes=10 * MB,  # the document names no limit: we keep to what the others allow
    )
    field_map = {
        "filedata": "files",
        "remote_station_id": "recipients",
        "local_station_id": "our_number",
        "local_station_header": "our_number",
    }

    @property
    def header(self) -> str:
        return options_of(self.account, VERIMOR).station_header or self.account.team.name[:20]

    def send(self, *, fax: Fax, documents: list[Document], fine: bool, scheduled_at: datetime | None) -> Submitted:
        [document] = documents
        order_id = self.client.fax_send(
            local_station_header=self.header,
            remote_station_id=fax.remote_number,
            content=document.content,
            media_type=document.media_type,
            local_station_id=fax.our_number,
        )
        return Submitted(str(order_id), "Bekliyor", "sending", {"order_id": order_id})

    def track(self, fax: Fax) -> Tracked:
        for order in self._orders():
            if str(order.id) == fax.provider_id:
                return Tracked("sending", order.raw_status)
        call_uuid = fax.provider_ref.get("call_uuid") or self._match_fdr(fax)
        if not call_uuid:
            return Tracked("sending", fax.provider_status)
        for fdr in self._fdrs(fax, since=fax.created_at - SLACK):
            if fdr.call_uuid == call_uuid:
                fax.provider_ref = {**fax.provider_ref, "call_uuid": call_uuid}
                status = "sent" if fdr.success else "failed" if fdr.success is False else "sending"
                return Tracked(status, fdr.raw_result, fdr.pages_total)
        return Tracked("sending", fax.provider_status)

    def find_sent(self, fax: Fax, *, since: datetime) -> Submitted | None:
        known = _known(fax)
        for order in self._orders():
            if (
                digits(order.remote_station_id) == digits(fax.remote_number)
                and str(order.id) not in known
                and (order.created_at is None or order.created_at >= since - SLACK)
            ):
                return Submitted(str(order.id), order.raw_status, "sending", {"order_id": order.id})
        return None  # an order that already left the queue is matched by its record in track()

    def incoming(self, *, since: datetime, on_skip: OnSkip | None = None) -> list[Incoming]:
        since = max(since, timezone.now() - MAX_WINDOW)
        return [
            Incoming(
                fdr.call_uuid,
                fdr.caller_id_number,
                fdr.original_destination,
                fdr.start_stamp,
                fdr.raw_result,
                fdr.pages_total,
                {"call_uuid": fdr.call_uuid},
                raw_record(fdr),
            )
            for fdr in self.client.iter_fdrs(direction="inbound", start_stamp_from=since, on_skip=on_skip)
        ]

    def incoming_document(self, item: Fax) -> Document:
        return self._document(item.provider_id)

    def sent_document(self, fax: Fax) -> Document:
        return self._document(fax.provider_ref["call_uuid"])

    def _document(self, call_uuid: str) -> Document:
        with self.client.fax_document(self.client.fax_document_url(call_uuid)) as document:
            content = document.read()
        media_type = TIFF if content.startswith((b"II*\x00", b"MM\x00*")) else PDF
        return Document(content, media_type, f"fax-{call_uuid[:8]}.{EXTENSIONS[media_type]}")

    def _orders(self) -> list:
        return list(self.client.iter_fax_orders())

    def _fdrs(self, fax: Fax, *, since: datetime) -> list:
        since = max(since, timezone.now() - MAX_WINDOW)
        return list(
            self.client.iter_fdrs(direction="outbound", start_stamp_from=since, original_destination=fax.remote_number)
        )

    def _match_fdr(self, fax: Fax) -> str:
        """The record of our order once it left the queue: the first unclaimed one to the same number."""
        claimed = {
            ref.get("call_uuid")
            for ref in Fax.objects.filter(account_id=fax.account_id, direction=Direction.OUTGOING)
            .exclude(pk=fax.pk)
            .values_list("provider_ref", flat=True)
        }
        candidates = [f for f in self._fdrs(fax, since=fax.created_at - SLACK) if f.call_uuid not in claimed]
        candidates.sort(key=lambda f: f.start_stamp or fax.created_at)
        return candidates[0].call_uuid if candidates else ""


def _known(fax: Fax) -> set[str]:
    return set(
        Fax.objects.filter(account_id=fax.account_id, direction=Direction.OUTGOING)
        .exclude(provider_id="")
        .values_list("provider_id", flat=True)
    )
