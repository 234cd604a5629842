"""The fax address book as a file: exported through ``core.exports`` (formula-escaped CSV or XLSX), imported
from CSV or XLSX read by ``core.sheets`` (UTF-8, UTF-16 or Windows-1254 text, workbooks), with a report of
every row left out and why (stored as codes, put into words in the reader's language).

An import is one transaction in the request: an address book is hundreds of rows, so it is bounded by
``FAX_CONTACTS_IMPORT_MAX_ROWS`` rather than handed to the worker. A contact is the same contact when its
name and number are: importing the export again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import Team, User
from core import phones
from core.sheets import FileError, bounded, read_sheet, upload_limit_mb

from ..models import FaxContact, FaxContactGroup

# A column -> its header in the export (in each language) and the other names people give it.
COLUMNS = {
    "name": (gettext_lazy("Name"), ("name", "ad", "isim", "ad soyad", "adı soyadı", "full name")),
    "company": (gettext_lazy("Company"), ("company", "şirket", "firma", "kurum")),
    "fax_number": (
        gettext_lazy("Fax number"),
        ("fax number", "fax", "faks", "faks numarası", "faks no", "fax no", "number", "numara"),
    ),
    "notes": (gettext_lazy("Notes"), ("notes", "note", "not", "notlar", "açıklama")),
    "groups": (gettext_lazy("Groups"), ("groups", "group", "gruplar", "grup")),
}
ROW_MESSAGES = {
    "no_number": gettext_lazy("no fax number"),
    "invalid_number": gettext_lazy("“%(value)s” is not a valid fax number"),
    "no_name": gettext_lazy("no name or company"),
    "repeated": gettext_lazy("the same name and fax number as row %(first)s"),
}
NO_NUMBER_COLUMN = gettext_lazy(
    "The first row names no fax number column: name the columns as the export does (Name, Company, "
    "Fax number, Notes, Groups)."
)
NAME_MAX = FaxContact._meta.get_field("name").max_length or 150
COMPANY_MAX = FaxContact._meta.get_field("company").max_length or 150


class NoFaxNumberColumn(ValueError):
    pass


def max_rows() -> int:
    return int(settings.FAX_CONTACTS_IMPORT_MAX_ROWS)


def export_headers() -> list[str]:
    return [str(label) for label, _names in COLUMNS.values()]


def export_rows(contacts: QuerySet[FaxContact]) -> Iterator[list[Any]]:
    for contact in contacts.prefetch_related("groups"):
        groups = ", ".join(g.name for g in contact.groups.all())
        yield [contact.name, contact.company, "+" + contact.fax_number, contact.notes, groups]


def _header_names() -> dict[str, str]:
    """Every name a header may have (lower case) -> its column, the export's own in every language included."""
    names: dict[str, str] = {}
    for column, (label, others) in COLUMNS.items():
        for other in others:
            names.setdefault(other, column)
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                names.setdefault(str(label).strip().lower(), column)
    return names


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    left_out: list[dict[str, Any]] = field(default_factory=list)  # {"row", "code", params…}
    file_error: str = ""  # why nothing was read, in the reader's language

    def row_texts(self) -> list[str]:
        return [describe_row(error) for error in self.left_out]


def describe_row(error: dict[str, Any]) -> str:
    reason = str(ROW_MESSAGES.get(error.get("code", ""), ROW_MESSAGES["invalid_number"])) % error
    return _("Row %(row)s: %(reason)s") % {"row": error.get("row"), "reason": reason}


def contacts_import(
    *,
    team: Team,
    actor: User,
    name: str,
    data: bytes,
    group: FaxContactGroup | None = None,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Adds the file's new contacts and updates the known ones (same name and number); reports rows left out."""
    report = ImportReport()
    try:
        rows = list(_read(name, data, report))
    except FileError as exc:
        report.file_error = str(exc)
        return report
    except NoFaxNumberColumn:
        report.file_error = str(NO_NUMBER_COLUMN)
        return report
    with transaction.atomic():
        for row in rows:
            _write(team, row, group, report)
        audit_record(
            team=team,
            actor=actor,
            action="fax.contacts_import",
            request=request,
            created=report.created,
            updated=report.updated,
            left_out=len(report.left_out),
        )
    return report


def _read(name: str, data: bytes, report: ImportReport) -> Iterator[dict[str, Any]]:
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise FileError("too_big", limit=upload_limit_mb())
    sheet = read_sheet(name, data)
    if sheet.row_estimate is not None and sheet.row_estimate > max_rows():
        raise FileError("too_many_rows", limit=max_rows())
    known = _header_names()
    headers = [h.strip().lower() for h in sheet.first]
    columns = {known[h]: i for i, h in reversed(list(enumerate(headers))) if h in known}  # the first of a name wins
    if "fax_number" not in columns:
        raise NoFaxNumberColumn
    seen: dict[tuple[str, str], int] = {}
    for number, cells in bounded(sheet.rows, 2):
        if number - 1 > max_rows():
            raise FileError("too_many_rows", limit=max_rows())
        values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in columns.items()}
        if not any(values.values()):
            continue
        raw = values.get("fax_number", "")
        if not raw:
            report.left_out.append({"row": number, "code": "no_number"})
            continue
        try:
            digits = phones.parse_international_digits(raw)
        except phones.PhoneNumberError:
            report.left_out.append({"row": number, "code": "invalid_number", "value": raw[:40]})
            continue
        person = (values.get("name") or values.get("company") or "")[:NAME_MAX]
        if not person:
            report.left_out.append({"row": number, "code": "no_name"})
            continue
        if (person, digits) in seen:
            report.left_out.append({"row": number, "code": "repeated", "first": seen[(person, digits)]})
            continue
        seen[(person, digits)] = number
        yield {**values, "name": person, "fax_number": digits}


def _write(team: Team, row: dict[str, Any], group: FaxContactGroup | None, report: ImportReport) -> None:
    contact, created = FaxContact.objects.get_or_create(
        team=team,
        name=row["name"],
        fax_number=row["fax_number"],
        defaults={"company": row.get("company", "")[:COMPANY_MAX], "notes": row.get("notes", "")},
    )
    if created:
        report.created += 1
    else:
        changed = False
        for name, value in (("company", row.get("company", "")[:COMPANY_MAX]), ("notes", row.get("notes", ""))):
            if value and getattr(contact, name) != value:
                setattr(contact, name, value)
                changed = True
        if changed:
            contact.save(update_fields=["company", "notes", "updated_at"])
        report.updated += 1
    names = [g.strip()[:100] for g in (row.get("groups") or "").split(",") if g.strip()]
    groups = [team.fax_contact_groups.get_or_create(name=n)[0] for n in names]
    if group is not None:
        groups.append(group)
    if groups:
        contact.groups.add(*groups)
