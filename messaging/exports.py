"""What the SMS exports hold: batches and recipients as rows for ``core.exports``, and their background
exports (``core.export_kinds``) for the lists too large to stream.

Rows are read lazily from the database (``iterator``) so a 100,000-recipient
batch is written out instead of being built in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team
from core.export_kinds import ExportKind, Params, params_query
from core.filter_words import Words, form_words

from .filters import BatchFilter, RecipientFilter
from .models import SmsBatch, SmsRecipient
from .texts import render as render_chunk_error

CHUNK = 2000


def batch_headers() -> list[str]:
    return [
        "#", _("Created"), _("Sender id"), _("Text"), _("Recipients"), _("Delivered"), _("Undelivered"),
        _("State"), _("By"),
    ]  # fmt: skip


def batch_rows(batches: QuerySet[SmsBatch]) -> Iterator[list[Any]]:
    counted = batches.annotate(
        n_delivered=Count("recipients", filter=Q(recipients__state=SmsRecipient.State.DELIVERED)),
        n_undelivered=Count("recipients", filter=Q(recipients__state=SmsRecipient.State.UNDELIVERED)),
    ).order_by("-created_at", "-id")
    for batch in counted.iterator(chunk_size=CHUNK):
        yield [
            batch.pk, batch.created_at, batch.sender, batch.text, batch.recipient_count, batch.n_delivered,
            batch.n_undelivered, batch.get_state_display(), batch.created_by_email,
        ]  # fmt: skip


def recipient_headers() -> list[str]:
    # The detailed report's cost counts SMS parts, not money (docs/providers.md, "Cost units").
    return [_("Number"), _("Name"), _("State"), _("Provider status"), _("Charged (SMS)"), _("Last update"), _("Row")]


def recipient_rows(recipients: QuerySet[SmsRecipient]) -> Iterator[list[Any]]:
    labels = dict(SmsRecipient.State.choices)
    fields = ("phone", "name", "state", "status_text", "cost", "last_update", "source_row")
    not_sent = (SmsRecipient.State.FAILED, SmsRecipient.State.PENDING)
    for phone, name, state, status, cost, updated, row, chunk_error, chunk_old_error in (
        recipients.order_by("id").values_list(*fields, "chunk__error_stored", "chunk__error").iterator(chunk_size=CHUNK)
    ):
        if not status and state in not_sent:  # why its chunk did not go out, as on the page
            status = render_chunk_error(chunk_error, old_text=chunk_old_error)
        parts = int(cost) if cost is not None and cost == int(cost) else cost  # a count of parts: 1, not 1.0000
        yield [phone, name, str(labels.get(state, state)), status, parts, updated, row]


# --- background exports ------------------------------------------------------------------------

BATCH_PARAM = "batch"  # the recipients' job keeps its batch beside the list's filters


def _batch_filter(team: Team, params: Params) -> BatchFilter:
    return BatchFilter(params_query(params) or None, queryset=team.sms_batches.all())


def _batch_id(params: Params) -> int:
    try:
        return int(params[BATCH_PARAM][0])
    except (KeyError, IndexError, ValueError):
        raise Http404 from None


def _recipient_filter(team: Team, params: Params) -> RecipientFilter:
    batch = team.sms_batches.filter(pk=_batch_id(params)).first()
    if batch is None:  # another team's, or deleted since
        raise Http404
    filters = params_query({name: values for name, values in params.items() if name != BATCH_PARAM})
    return RecipientFilter(filters or None, queryset=batch.recipients.select_related("chunk"))


def _recipient_words(team: Team, params: Params) -> Words:
    return [(_("SMS batch"), f"#{_batch_id(params)}"), *form_words(_recipient_filter(team, params).form)]


SMS_BATCHES = ExportKind(
    name="sms-batches",
    label=gettext_lazy("SMS batches export"),
    permission="view",
    queryset=lambda team, params: _batch_filter(team, params).qs,
    headers=batch_headers,
    rows=batch_rows,
    filename=lambda params: "sms-batches",
    sheet_name=gettext_lazy("SMS"),
    back_url=lambda params: reverse("sms-list"),
    described=lambda team, params: form_words(_batch_filter(team, params).form),
)
SMS_RECIPIENTS = ExportKind(
    name="sms-recipients",
    label=gettext_lazy("SMS recipients export"),
    permission="view",
    queryset=lambda team, params: _recipient_filter(team, params).qs,
    headers=recipient_headers,
    rows=recipient_rows,
    filename=lambda params: f"sms-{_batch_id(params)}",
    sheet_name=gettext_lazy("Recipients"),
    back_url=lambda params: reverse("sms-detail", args=[_batch_id(params)]),
    described=_recipient_words,
)
