"""SMS: submit, submit multi, and the three reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from ..records import OnSkip
from . import validation as v
from .base import PasifikEndpoints
from .models import SmsEnvelope, SmsRecipientReport, SmsReport, SubmitResult


class SmsEndpoints(PasifikEndpoints):
    # Reference: pasifik-telekom-api-v2.txt, "Submit"
    def sms_submit(
        self,
        *,
        sender: str,
        to: str | Iterable[str],
        text: str,
        universal: bool | None = None,
        alphabet: str | None = None,
        scheduled_delivery_time: datetime | None = None,
        period: int | None = None,
    ) -> SubmitResult:
        """Sends one text to one or more numbers. Never retried: a timeout leaves the outcome unknown.

        ``sender`` is the document's ``from`` (3 to 11 characters). ``period``
        above 1440 minutes is clamped to 1440, as the provider would.
        """
        body = {
            "from": v.sender(sender),
            "to": ",".join(v.numbers(to, international=bool(universal))),
            "text": v.text(text, field="text"),
            **_options(universal, alphabet, scheduled_delivery_time, period),
        }
        return self._read(SubmitResult, self._post("sms/submit/", body, read=False), what="submit answer")

    # Reference: pasifik-telekom-api-v2.txt, "Submit Multi"
    def sms_submit_multi(
        self,
        *,
        sender: str,
        envelopes: Sequence[SmsEnvelope | tuple[str, str]],
        universal: bool | None = None,
        alphabet: str | None = None,
        scheduled_delivery_time: datetime | None = None,
        period: int | None = None,
    ) -> SubmitResult:
        """Sends a different text to each number: one envelope per destination."""
        if not envelopes:
            raise v.invalid("envelopes", "needs at least one message")
        body = {
            "from": v.sender(sender),
            "envelopes": [_envelope(item, international=bool(universal)) for item in envelopes],
            **_options(universal, alphabet, scheduled_delivery_time, period),
        }
        return self._read(SubmitResult, self._post("sms/submit/multi/", body, read=False), what="submit answer")

    # Reference: pasifik-telekom-api-v2.txt, "Query Multi"
    def sms_query_multi(self, *, start_date: date, end_date: date, on_skip: OnSkip | None = None) -> list[SmsReport]:
        """General reports of the submits made between two days (inclusive, provider's calendar).

        A report that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        start, end = v.date_range(start_date, end_date)
        data = self._post("sms/query/multi/", {"start_date": start, "end_date": end}, read=True)
        return self._read_list(SmsReport, data, what="SMS reports", id_keys=("sms_id",), on_skip=on_skip)

    # Reference: pasifik-telekom-api-v2.txt, "Query Multi By Id"
    def sms_query_multi_by_id(self, *, sms_id: int | str) -> SmsReport:
        """The general report of one submit. The document sends ``sms_id`` as a string."""
        body = {"sms_id": str(v.positive_id(sms_id, field="sms_id"))}
        data = self._post("sms/query/multi/id/", body, read=True)
        return self._read(SmsReport, data, what="SMS report")

    # Reference: pasifik-telekom-api-v2.txt, "Query"
    def sms_query(self, *, sms_id: int | str, on_skip: OnSkip | None = None) -> list[SmsRecipientReport]:
        """The detailed report of one submit: one row per destination number.

        A row that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        body = {"sms_id": str(v.positive_id(sms_id, field="sms_id"))}
        data = self._post("sms/query/", body, read=True)
        return self._read_list(
            SmsRecipientReport, data, what="SMS detailed report", id_keys=("msisdn",), on_skip=on_skip
        )


def _options(
    universal: bool | None, alphabet: str | None, scheduled: datetime | None, period: int | None
) -> dict[str, Any]:
    return v.drop_none(
        {
            "universal": bool(universal) if universal is not None else None,
            "alphabet": v.choice(alphabet, field="alphabet", allowed=v.ALPHABETS) if alphabet is not None else None,
            "scheduled_delivery_time": (
                v.utc_z(scheduled, field="scheduled_delivery_time") if scheduled is not None else None
            ),
            "period": v.period(period) if period is not None else None,
        }
    )


def _envelope(item: SmsEnvelope | tuple[str, str], *, international: bool) -> dict[str, str]:
    envelope = item if isinstance(item, SmsEnvelope) else SmsEnvelope(*item)
    return {
        "to": v.single_number(envelope.to, field="envelopes.to", international=international),
        "text": v.text(envelope.text, field="envelopes.text"),
    }
