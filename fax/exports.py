"""What the fax list's export holds, streamed or (too large to stream) as a background job (``core.export_kinds``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team
from core.export_kinds import ExportKind, Params, params_query
from core.filter_words import form_words

from .filters import FaxFilter
from .models import Fax


def fax_headers() -> list[str]:
    header = [_("Id"), _("Date"), _("Direction"), _("Status"), _("Provider's status"), _("Provider account")]
    return [*header, _("Our number"), _("Remote number"), _("Pages"), _("Attempts"), _("Error")]


def fax_rows(faxes: QuerySet[Fax]) -> Iterator[list[Any]]:
    for fax in faxes.select_related("account").iterator(chunk_size=500):
        yield [
            fax.pk, fax.created_at, fax.get_direction_display(), fax.get_status_display(),
            fax.provider_status_text, fax.account.label if fax.account else "", fax.our_number,
            fax.remote_number, fax.pages, fax.attempts, fax.error_text,
        ]  # fmt: skip


def _filter(team: Team, params: Params) -> FaxFilter:
    return FaxFilter(params_query(params) or None, queryset=team.faxes.all(), team=team)


FAXES = ExportKind(
    name="faxes",
    label=gettext_lazy("Faxes export"),
    permission="view",
    queryset=lambda team, params: _filter(team, params).qs,
    headers=fax_headers,
    rows=fax_rows,
    filename=lambda params: "faxes",
    sheet_name=gettext_lazy("Faxes"),
    back_url=lambda params: reverse("fax-list"),
    described=lambda team, params: form_words(_filter(team, params).form),
)
