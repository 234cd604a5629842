"""What the calls export holds: the filtered calls as rows for the project's one export writer (``core.exports``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

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


def labelled_row(
    row: Sequence[Any], language: str | None = None, labels: dict[tuple[int, Any], str] | None = None
) -> list[Any]:
    """Choices by their label, the country named as the calls pages name it, in ``language`` (default: the
    active one); times stay times (the writer shows them in the team's zone). ``labels`` keeps the labels
    already looked up, across the rows of one export."""
    labels = {} if labels is None else labels
    values = list(row)
    for index, choices in _LABELS.items():
        value = values[index]
        if value is not None:
            label = labels.get((index, value))
            if label is None:
                label = labels[(index, value)] = str(choices(value).label)
            values[index] = label
    values[_COUNTRY] = country_name(values[_COUNTRY] or "", values[_CALLEE] or "", language=language)
    return values


def labelled_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """The language is read now, when the export is asked for: the rows are written later, as the response
    streams."""
    language = reader_language()
    labels: dict[tuple[int, Any], str] = {}
    return (labelled_row(r, language, labels) for r in rows)
