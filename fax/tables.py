"""The fax list as a django-tables2 table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.phones import display_digits

from .models import Direction, Fax, Status

BADGES = {
    "scheduled": "warning",
    "queued": "secondary",
    "sending": "info",
    "sent": "success",
    "failed": "danger",
    "cancelled": "dark",
    "received": "primary",
}


class FaxTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("Date"), format="SHORT_DATETIME_FORMAT", linkify=True)
    direction = tables.Column(verbose_name=_("Direction"))
    remote_number = tables.Column(verbose_name=_("Remote number"))
    our_number = tables.Column(verbose_name=_("Our number"))
    account = tables.Column(verbose_name=_("Provider account"), orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    pages = tables.Column(verbose_name=_("Pages"))

    class Meta:
        model = Fax
        fields = ("created_at", "direction", "remote_number", "our_number", "account", "status", "pages")
        attrs = {"class": "table table-sm align-middle", "data-testid": "fax-table"}
        order_by = "-created_at"
        empty_text = _("No fax yet.")

    def render_remote_number(self, value: str) -> str:
        return display_digits(value)

    def render_our_number(self, value: str) -> str:
        return display_digits(value)

    def render_direction(self, value: str, record: Fax) -> str:
        icon = "bi-arrow-up-right" if record.direction == Direction.OUTGOING else "bi-arrow-down-left"
        return format_html('<i class="bi {}" aria-hidden="true"></i> {}', icon, value)

    def render_status(self, value: str, record: Fax) -> str:
        stuck = (
            format_html(' <i class="bi bi-exclamation-triangle text-warning" title="{}"></i>', _("Stuck"))
            if record.is_stuck
            else ""
        )
        when = (
            format_html(
                ' <span class="small text-body-secondary" data-scheduled-for>{}</span>',
                date_format(timezone.localtime(record.scheduled_at), "SHORT_DATETIME_FORMAT"),
            )
            if record.status == Status.SCHEDULED and record.scheduled_at
            else ""
        )
        return format_html(
            '<span class="badge text-bg-{}">{}</span>{}{}', BADGES.get(record.status, "light"), value, stuck, when
        )
