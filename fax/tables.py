"""The fax list as a django-tables2 table."""

from __future__ import annotations

from dataclasses import dataclass

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.list_formats import local_datetime_formatter, shown_records, url_with_pk
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
        template_name = "fax/_table.html"

    def lines(self) -> list[FaxLine]:
        """The shown page's rows with every cell's text worked out, for the lean row template (``fax/_table.html``):
        django-tables2 drew each cell through a bound cell and a ``render_*`` call (see docs/performance.md)."""
        faxes: list[Fax] = shown_records(self)
        shown = local_datetime_formatter()
        detail = url_with_pk("fax-detail")
        directions = {key: str(text) for key, text in Direction.choices}
        statuses = {key: str(text) for key, text in Status.choices}
        numbers = {n: display_digits(n) for fax in faxes for n in (fax.remote_number, fax.our_number)}
        return [
            FaxLine(
                detail_url=detail(fax.pk), created_at=shown(fax.created_at),
                outgoing=fax.direction == Direction.OUTGOING,
                direction=directions.get(fax.direction, fax.direction),
                remote_number=numbers[fax.remote_number] or "—", our_number=numbers[fax.our_number] or "—",
                account=str(fax.account) if fax.account_id else "—",
                status_badge=BADGES.get(fax.status, "light"), status=statuses.get(fax.status, fax.status),
                stuck=fax.is_stuck,
                scheduled_for=shown(fax.scheduled_at) if fax.status == Status.SCHEDULED else "",
                pages="—" if fax.pages is None else fax.pages,
            )
            for fax in faxes
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class FaxLine:
    """One row of the fax list as the template shows it."""

    detail_url: str
    created_at: str
    outgoing: bool
    direction: str
    remote_number: str
    our_number: str
    account: str
    status_badge: str
    status: str
    stuck: bool
    scheduled_for: str
    pages: int | str
