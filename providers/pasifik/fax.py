"""Fax: upload a document, submit it, follow it, read the inbox, download documents."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import IO

from ..files import Download
from ..records import OnSkip
from . import validation as v
from .base import PasifikEndpoints
from .models import FaxReport, FaxUploadResult, InboxFax, SubmitResult


class FaxEndpoints(PasifikEndpoints):
    # Reference: pasifik-telekom-api-v2.txt, "Upload File - Fax"
    def fax_upload(self, *, file: bytes | IO[bytes], filename: str, content_type: str | None = None) -> FaxUploadResult:
        """Uploads a document (multipart field ``filename``); submit it by the name the answer gives."""
        name = v.file_name(filename)
        media_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        data = self._post_multipart("fax/upload/", {"filename": (name, file, media_type)})
        result = self._read(FaxUploadResult, data, what="fax upload answer")
        if not result.filename:
            raise self.transport.unexpected("fax upload answer without a filename")
        return result

    # Reference: pasifik-telekom-api-v2.txt, "Submit - Fax"
    def fax_submit(
        self,
        *,
        sender: str,
        to: str | Iterable[str],
        filename: str,
        is_enhanced: bool | None = None,
        scheduled_delivery_time: datetime | None = None,
        period: int | None = None,
    ) -> SubmitResult:
        """Sends an uploaded document to one or more numbers. Never retried.

        ``sender`` is the document's ``from``: our fax number. The provider
        answers HTTP 200 with ``id`` -1 when it refuses; that raises InvalidRequest.
        """
        body = v.drop_none(
            {
                "from": v.single_number(sender, field="from"),
                "to": ",".join(v.numbers(to)),
                "filename": v.file_name(filename),
                "is_enhanced": bool(is_enhanced) if is_enhanced is not None else None,
                "scheduled_delivery_time": (
                    v.utc_z(scheduled_delivery_time, field="scheduled_delivery_time")
                    if scheduled_delivery_time is not None
                    else None
                ),
                "period": v.period(period) if period is not None else None,
            }
        )
        return self._read(SubmitResult, self._post("fax/submit/", body, read=False), what="fax submit answer")

    # Reference: pasifik-telekom-api-v2.txt, "Query - Fax"
    def fax_query(self, *, fax_id: int | str) -> FaxReport:
        """The report of one sent fax. The document sends ``fax_id`` as a string."""
        body = {"fax_id": str(v.positive_id(fax_id, field="fax_id"))}
        data = self._post("fax/query/", body, read=True)
        return self._read(FaxReport, data, what="fax report")

    # Reference: pasifik-telekom-api-v2.txt, "Query Report - Fax"
    def fax_query_report(self, *, start_date: date, end_date: date, on_skip: OnSkip | None = None) -> list[FaxReport]:
        """Reports of the faxes sent between two days (inclusive, provider's calendar).

        A report that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        start, end = v.date_range(start_date, end_date)
        data = self._post("fax/query/report/", {"start_date": start, "end_date": end}, read=True)
        return self._read_list(FaxReport, data, what="fax reports", id_keys=("fax_id",), on_skip=on_skip)

    # Reference: pasifik-telekom-api-v2.txt, "Query Inbox - Fax"
    def fax_query_inbox(self, *, start_date: date, end_date: date, on_skip: OnSkip | None = None) -> list[InboxFax]:
        """Faxes received between two days (inclusive, provider's calendar).

        A record that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        start, end = v.date_range(start_date, end_date)
        data = self._post("fax/query/inbox/", {"start_date": start, "end_date": end}, read=True)
        return self._read_list(InboxFax, data, what="fax inbox", id_keys=("fax_id",), on_skip=on_skip)

    # Reference: pasifik-telekom-api-v2.txt, "Download File - Fax"
    def fax_download(
        self,
        *,
        sender: str,
        filename: str,
        format: str,
        directory: str = "txfax",
        is_enhanced: bool | None = None,
    ) -> Download:
        """Streams a fax document as ``tiff`` or ``pdf``.

        ``directory`` is ``txfax`` for sent faxes (``sender`` is our number,
        the report's ``sender``) and ``rxfax`` for received ones (``sender`` is
        the inbox entry's ``cld``, our number).
        """
        body = v.drop_none(
            {
                "from": v.single_number(sender, field="from"),
                "filename": v.file_name(filename),
                "format": v.choice(format, field="format", allowed=v.FAX_FORMATS),
                "directory": v.choice(directory, field="directory", allowed=v.FAX_DIRECTORIES),
                "is_enhanced": bool(is_enhanced) if is_enhanced is not None else None,
            }
        )
        fallback = str(PurePosixPath(filename).with_suffix(f".{format}").name)
        return self._download("fax/download/", body, fallback_name=fallback)
