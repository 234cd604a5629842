from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.db.models import Count, QuerySet
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.collation import TURKISH
from core.list_formats import local_datetime_formatter, shown_records, url_with_pk
from core.phones import display

from .models import Contact, SmsBatch, SmsRecipient

STATE_BADGES = {
    "storing": "primary",
    "not_stored": "danger",
    "scheduled": "dark",
    "sending": "primary",
    "paused": "warning",
    "cancelled": "secondary",
    "submitted": "info",
    "completed": "success",
    "pending": "secondary",
    "waiting": "info",
    "delivered": "success",
    "undelivered": "danger",
    "failed": "danger",
}


def _local(value: datetime | None) -> str:
    """Exports carry times in the team's zone (the middleware activated it), with the offset."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def badge(value: str, label: Any) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', STATE_BADGES.get(value, "secondary"), label)


class BatchTable(tables.Table):
    id = tables.LinkColumn("sms-detail", args=[tables.A("pk")], verbose_name="#")
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="SHORT_DATETIME_FORMAT")
    sender = tables.Column(verbose_name=_("Sender id"))
    text = tables.Column(verbose_name=_("Text"))
    recipient_count = tables.Column(verbose_name=_("Recipients"))
    state = tables.Column(verbose_name=_("State"))
    created_by_email = tables.Column(verbose_name=_("By"), default="—")
    # Counted for the shown page only (or the exported set), never across the team's whole history.
    delivered = tables.Column(verbose_name=_("Delivered"), orderable=False, empty_values=())
    undelivered = tables.Column(verbose_name=_("Undelivered"), orderable=False, empty_values=())

    class Meta:
        model = SmsBatch
        fields = ("id", "created_at", "sender", "text", "recipient_count", "delivered", "undelivered", "state")
        sequence = ("id", "created_at", "sender", "text", "recipient_count", "delivered", "undelivered", "state")
        order_by = ("-created_at",)
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "messaging/_batch_table.html"
        empty_text = _("No SMS yet. Send one, or import the batches sent outside the portal (below).")

    _state_counts: dict[int, dict[str, int]] | None = None

    def state_counts(self) -> dict[int, dict[str, int]]:
        if self._state_counts is None:
            if getattr(self, "page", None) is not None:
                batches: Any = [row.record.pk for row in self.page.object_list]
            else:
                batches = self.data.data.values("pk")
            rows = (
                SmsRecipient.objects.filter(batch__in=batches, state__in=("delivered", "undelivered"))
                .order_by()
                .values_list("batch_id", "state")
                .annotate(n=Count("pk"))
            )
            self._state_counts = {}
            for batch_id, state, n in rows:
                self._state_counts.setdefault(batch_id, {})[state] = n
        return self._state_counts

    def render_delivered(self, record: SmsBatch) -> int:
        return self.state_counts().get(record.pk, {}).get("delivered", 0)

    def render_undelivered(self, record: SmsBatch) -> int:
        return self.state_counts().get(record.pk, {}).get("undelivered", 0)

    def value_delivered(self, record: SmsBatch) -> int:
        return self.render_delivered(record)

    def value_undelivered(self, record: SmsBatch) -> int:
        return self.render_undelivered(record)

    def render_text(self, value: str) -> str:
        return value if len(value) <= 60 else value[:59] + "…"

    def render_state(self, record: SmsBatch) -> str:
        shown = badge(record.state, record.get_state_display())
        if record.state == SmsBatch.State.SCHEDULED and record.scheduled_at:
            when = date_format(timezone.localtime(record.scheduled_at), "SHORT_DATETIME_FORMAT")
            return format_html('{} <span class="small text-body-secondary" data-scheduled-for>{}</span>', shown, when)
        return shown

    def value_state(self, record: SmsBatch) -> str:
        return record.get_state_display()

    def value_created_at(self, value: datetime) -> str:
        return _local(value)

    def lines(self) -> list[BatchLine]:
        """The shown page's batches with every cell's text worked out once per page, for the lean row template
        (``messaging/_batch_table.html``; docs/performance.md)."""
        batches: list[SmsBatch] = shown_records(self)
        shown = local_datetime_formatter()
        detail = url_with_pk("sms-detail")
        states = {key: str(text) for key, text in SmsBatch.State.choices}
        counts = self.state_counts()
        return [
            BatchLine(
                pk=batch.pk, detail_url=detail(batch.pk), created_at=shown(batch.created_at),
                sender=batch.sender or "—", text=self.render_text(batch.text) if batch.text else "—",
                recipient_count=batch.recipient_count,
                delivered=counts.get(batch.pk, {}).get("delivered", 0),
                undelivered=counts.get(batch.pk, {}).get("undelivered", 0),
                state_badge=STATE_BADGES.get(batch.state, "secondary"), state=states.get(batch.state, batch.state),
                scheduled_for=shown(batch.scheduled_at) if batch.state == SmsBatch.State.SCHEDULED else "",
                created_by=batch.created_by_email or "—",
            )
            for batch in batches
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One row of the SMS list as the template shows it."""

    pk: int
    detail_url: str
    created_at: str
    sender: str
    text: str
    recipient_count: int
    delivered: int
    undelivered: int
    state_badge: str
    state: str
    scheduled_for: str
    created_by: str


class RecipientTable(tables.Table):
    phone = tables.Column(verbose_name=_("Number"))
    name = tables.Column(verbose_name=_("Name"), default="")
    state = tables.Column(verbose_name=_("State"))
    status_text = tables.Column(verbose_name=_("Provider status"), empty_values=())
    # The detailed report's cost counts SMS parts, not money (docs/providers.md, "Cost units").
    cost = tables.Column(verbose_name=_("Charged"))
    last_update = tables.DateTimeColumn(verbose_name=_("Last update"), format="DATETIME_FORMAT", default="—")
    source_row = tables.Column(verbose_name=_("Row"), default="")

    class Meta:
        model = SmsRecipient
        fields = ("phone", "name", "state", "status_text", "cost", "last_update", "source_row")
        order_by = ("id",)
        attrs = {"class": "table table-sm align-middle", "id": "recipients"}
        row_attrs = {"data-state": lambda record: record.state}
        template_name = "messaging/_recipient_table.html"

    def render_phone(self, value: str) -> str:
        return display(value)

    def render_cost(self, value: Decimal) -> str:
        parts = value.normalize()
        return ngettext("%(parts)s SMS", "%(parts)s SMS", int(parts) if parts == int(parts) else 2) % {
            "parts": f"{parts:f}"
        }

    def render_state(self, record: SmsRecipient) -> str:
        return badge(record.state, record.get_state_display())

    def render_status_text(self, value: str, record: SmsRecipient) -> str:
        """The provider's words; for a recipient whose chunk did not go out, why (in the reader's language)."""
        if value or record.state not in (SmsRecipient.State.FAILED, SmsRecipient.State.PENDING):
            return value
        return record.chunk.error_text

    def value_state(self, record: SmsRecipient) -> str:
        return record.get_state_display()

    def value_last_update(self, value: datetime | None) -> str:
        return _local(value)

    def value_phone(self, value: str) -> str:
        return value

    def lines(self) -> list[RecipientLine]:
        """The shown page's recipients with every cell's text worked out once per page, for the lean row template
        (``messaging/_recipient_table.html``; the same cells as the columns' ``render_*``, docs/performance.md)."""
        recipients: list[SmsRecipient] = shown_records(self)
        shown = local_datetime_formatter("DATETIME_FORMAT")
        states = {key: str(text) for key, text in SmsRecipient.State.choices}
        return [
            RecipientLine(
                state=recipient.state, state_badge=STATE_BADGES.get(recipient.state, "secondary"),
                state_label=states.get(recipient.state, recipient.state),
                phone=display(recipient.phone) if recipient.phone else "—", name=recipient.name,
                status_text=self.render_status_text(recipient.status_text, recipient),
                cost=self.render_cost(recipient.cost) if recipient.cost is not None else "—",
                last_update=shown(recipient.last_update) if recipient.last_update else "—",
                source_row="" if recipient.source_row is None else recipient.source_row,
            )
            for recipient in recipients
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecipientLine:
    """One row of a batch's recipients as the template shows it."""

    state: str
    state_badge: str
    state_label: str
    phone: str
    name: str
    status_text: str
    cost: str
    last_update: str
    source_row: int | str


class ContactTable(tables.Table):
    name = tables.LinkColumn("sms-contact-edit", args=[tables.A("pk")], verbose_name=_("Name"))
    phone = tables.Column(verbose_name=_("Number"))
    groups = tables.ManyToManyColumn(verbose_name=_("Groups"), orderable=False)

    class Meta:
        model = Contact
        fields = ("name", "phone", "groups")
        attrs = {"class": "table table-sm align-middle"}
        template_name = "messaging/_contact_table.html"

    def render_phone(self, value: str) -> str:
        return display(value)

    def order_name(self, queryset: QuerySet[Contact], is_descending: bool) -> tuple[QuerySet[Contact], bool]:
        name = Collate("name", TURKISH)
        return queryset.order_by(name.desc() if is_descending else name.asc(), "phone"), True

    def render_name(self, value: str, record: Contact) -> str:
        return value or "—"

    def lines(self) -> list[ContactLine]:
        """The shown page's contacts with every cell's text worked out once per page, for the lean row template
        (``messaging/_contact_table.html``): groups from the view's ``prefetch_related``, one ``reverse``."""
        contacts: list[Contact] = shown_records(self)
        edit = url_with_pk("sms-contact-edit")
        return [
            ContactLine(
                name=contact.name, edit_url=edit(contact.pk),
                phone=display(contact.phone) if contact.phone else "—",
                groups=", ".join(str(group) for group in contact.groups.all()) or "—",
            )
            for contact in contacts
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class ContactLine:
    """One row of the SMS contacts as the template shows it."""

    name: str
    edit_url: str
    phone: str
    groups: str
