from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class AuditEventTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("Time"), format="DATETIME_FORMAT")
    actor_email = tables.Column(verbose_name=_("Person"), default="—")
    action = tables.Column(verbose_name=_("Action"))
    object_repr = tables.Column(verbose_name=_("Object"), default="—")
    ip_address = tables.Column(verbose_name=_("From"), default="—")
    data = tables.JSONColumn(verbose_name=_("Details"), orderable=False)

    class Meta:
        model = AuditEvent
        fields = ("created_at", "actor_email", "action", "object_repr", "ip_address", "data")
        order_by = ("-created_at",)
