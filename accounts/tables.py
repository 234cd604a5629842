from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

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

    def render_action(self, value: str) -> str:
        return action_label(value)

    def render_data(self, value: Any) -> str:
        return details_text(value) or "—"
