"""The filtered calls as CSV or XLSX, through the project's one export writer (``core.exports``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import tzinfo
from typing import Any

from django.utils.translation import gettext as _

from core import exports

from .countries import country_name, reader_language
from .models import Direction, Disposition, Source

# Positions in ``selectors.EXPORT_FIELDS`` of the values shown by their label.
_LABELS = {8: Direction, 9: Disposition, 13: Source}
_CALLEE, _COUNTRY = 7, 11


def headers() -> list[str]:
    return [
        _("Id"), _("Start"), _("Answered at"), _("End"), _("Duration (s)"), _("Billed (s)"), _("Caller"),
        _("Callee"), _("Direction"), _("Result"), _("Cost"), _("Country"), _("Description"), _("Source"),
        _("Provider id"), _("Account"), _("Recording"),
    ]  # fmt: skip


def labelled_row(row: Sequence[Any], language: str | None = None) -> list[Any]:
    """Choices by their label, the country named as the calls pages name it, in ``language`` (default: the
    active one); times stay times (the writer shows them in the team's zone)."""
    values = list(row)
    for index, choices in _LABELS.items():
        if values[index] is not None:
            values[index] = str(choices(values[index]).label)
    values[_COUNTRY] = country_name(values[_COUNTRY] or "", values[_CALLEE] or "", language=language)
    return values


# The language is read when the export is asked for: the rows are written later, as the response streams.
def csv_stream(rows: Iterable[Sequence[Any]], zone: tzinfo) -> Iterator[str]:
    language = reader_language()
    return exports.csv_stream(headers(), (labelled_row(r, language) for r in rows), zone)


def xlsx_stream(rows: Iterable[Sequence[Any]], zone: tzinfo, *, sheet_name: str = "Calls") -> Iterator[bytes]:
    language = reader_language()
    return exports.xlsx_stream(headers(), (labelled_row(r, language) for r in rows), zone, sheet_name=sheet_name)
