"""What the audit log's export holds (times in the team's zone, details as JSON), streamed or, too large to
stream, as a background job (``core.export_kinds``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.export_kinds import ExportKind, Params, params_query
from core.exports import json_text
from core.filter_words import form_words

from .filters import AuditEventFilter
from .models import AuditEvent, Team


def audit_headers() -> list[str]:
    return [_("time"), _("person"), _("action"), _("object_type"), _("object_id"), _("object"), _("ip"), _("details")]


def audit_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    for event in events.order_by("-created_at", "-id").iterator(chunk_size=2000):
        yield [
            event.created_at, event.actor_email, event.action, event.object_type, event.object_id,
            event.object_repr, event.ip_address, json_text(event.data),
        ]  # fmt: skip


def _filter(team: Team, params: Params) -> AuditEventFilter:
    return AuditEventFilter(params_query(params) or None, queryset=team.audit_events.all())


def _events(team: Team, params: Params) -> QuerySet[AuditEvent] | None:
    filterset = _filter(team, params)
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs


AUDIT_LOG = ExportKind(
    name="audit-log",
    label=gettext_lazy("Audit log export"),
    permission="view_audit",
    queryset=_events,
    headers=audit_headers,
    rows=audit_rows,
    filename=lambda params: "audit",
    sheet_name=gettext_lazy("Audit log"),
    back_url=lambda params: reverse("audit"),
    described=lambda team, params: form_words(_filter(team, params).form),
    audit_action="audit.export",
)
