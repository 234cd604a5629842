from __future__ import annotations

from dataclasses import dataclass

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.list_formats import local_datetime_formatter, shown_records

from .audit_labels import action_label, details_text
from .models import AuditEvent


class AuditEventTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("Time"), format="DATETIME_FORMAT")
    actor_email = tables.Column(verbose_name=_("Person"), default="—")
    action = tables.Column(verbose_name=_("Action"), attrs={"td": {"class": "wrap"}})
    object_repr = tables.Column(verbose_name=_("Object"), default="—")
    ip_address = tables.Column(verbose_name=_("From"), default="—")
    data = tables.Column(verbose_name=_("Details"), orderable=False, attrs={"td": {"class": "wrap small"}})

    class Meta:
        model = AuditEvent
        fields = ("created_at", "actor_email", "action", "object_repr", "ip_address", "data")
        order_by = ("-created_at",)
        template_name = "accounts/_audit_table.html"

    def lines(self) -> list[AuditLine]:
        """The shown page's events with every cell's text worked out, each action's label looked up once, for the
        lean row template (``accounts/_audit_table.html``; docs/performance.md)."""
        events: list[AuditEvent] = shown_records(self)
        shown = local_datetime_formatter("DATETIME_FORMAT")
        actions = {event.action: action_label(event.action) for event in events if event.action}
        return [
            AuditLine(
                created_at=shown(event.created_at) or "—", actor=event.actor_email or "—",
                action=actions.get(event.action) or "—", object_repr=event.object_repr or "—",
                ip_address=event.ip_address or "—", details=details_text(event.data) or "—",
            )
            for event in events
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One row of the audit log as the template shows it."""

    created_at: str
    actor: str
    action: str
    object_repr: str
    ip_address: str
    details: str
