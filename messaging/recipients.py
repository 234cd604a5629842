"""From what the user gave (typed numbers, contact groups, a file) to a clean recipient list.

Reads only: every bad row becomes an error naming its line and reason, duplicates
and opted-out numbers are counted (shown to the user), nothing is silently dropped.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team
from core.phones import PhoneNumberError

from .imports import FileError, read_table
from .models import ContactGroup
from .numbers import Number, Row, parse_number, rows_from_text

PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_ERRORS_SHOWN = 50
MAX_SKIPPED_SHOWN = 10
SAMPLE_CHARS = 40  # a file's content is quoted this short: a wrong file must not flood the page


@dataclass(frozen=True)
class Recipient:
    number: Number
    name: str = ""
    values: dict[str, str] = field(default_factory=dict)
    source_row: int | None = None


@dataclass
class ParsedFile:
    """A recipient file read once (``parse_file``): what a later request needs instead of the file."""

    headers: list[str]
    phone_by_header: bool
    name_column: int | None
    first_row: list[str]  # the first row that is not empty: quoted when no column holds numbers
    # (row as the user sees it, E.164 or "" when not a number, the cells by header, the raw text when not a number)
    rows: list[tuple[int, str, list[str], str]]


@dataclass
class Prepared:
    recipients: list[Recipient] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (form field, message)
    error_count: int = 0
    file_error: str = ""
    duplicates: int = 0
    opt_outs: int = 0
    fields: set[str] = field(default_factory=lambda: {"name"})
    # Rows of a file or contacts of a group that are not numbers: left out, and listed on the review.
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (form field, message)
    skipped_count: int = 0
    from_file: int = 0  # recipients the file brought
    file_fields: list[str] = field(default_factory=list)

    def error(self, source: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append((source, message))

    def skip(self, source: str, message: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED_SHOWN:
            self.skipped.append((source, message))

    @property
    def abroad(self) -> int:
        return sum(1 for r in self.recipients if r.number.abroad)


def short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= SAMPLE_CHARS else value[: SAMPLE_CHARS - 1] + "…"


def placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(m.lower() for m in PLACEHOLDER.findall(text)))


def render(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).lower(), ""), text)


def _fill_in(recipients: list[Recipient], index: int, row: Row) -> None:
    """A number given twice is sent once, with what either gave: a typed number that is also a contact
    of a chosen group gets the contact's name and fields, not empty placeholders."""
    first = recipients[index]
    values = {**first.values, **{k: v for k, v in row.values.items() if v and not first.values.get(k)}}
    recipients[index] = replace(first, name=first.name or row.name, values=values)


ROW = gettext_lazy("row %(row)s")


def _place(text: str | Promise, **params: object) -> str:
    return str(text) % params


def prepare_recipients(
    *,
    team: Team,
    typed: str = "",
    groups: Iterable[ContactGroup] = (),
    upload_name: str = "",
    upload: bytes | None = None,
    parsed: ParsedFile | None = None,
) -> Prepared:
    """The recipients of a send; a file comes as its bytes or as read once before (``parsed``)."""
    prepared = Prepared()
    seen: set[str] = set()
    kept: dict[str, int] = {}  # number → its place in prepared.recipients
    opted_out = set(team.sms_opt_outs.values_list("phone", flat=True))

    def add(row: Row, where: Callable[[], str], source: str, number: Number | None = None) -> bool:
        """``where`` names the row only when something is wrong with it (a translation per row costs)."""
        try:
            number = number or parse_number(row.raw)
        except PhoneNumberError as exc:
            reason = (
                str(exc)
                if len(row.raw) <= SAMPLE_CHARS
                else _("“%(value)s” is not a phone number") % {"value": short(row.raw)}
            )
            message = _("%(where)s: %(reason)s") % {"where": where(), "reason": reason}
            if source == "recipients":  # typed by the person: they fix it
                prepared.error(source, message)
            else:  # a row of a file or a contact: left out, and the review says which
                prepared.skip(source, message)
            return False
        if number.e164 in seen:
            prepared.duplicates += 1
            if number.e164 in kept:
                _fill_in(prepared.recipients, kept[number.e164], row)
            return True
        seen.add(number.e164)
        if number.e164 in opted_out:
            prepared.opt_outs += 1
            return True
        kept[number.e164] = len(prepared.recipients)
        prepared.recipients.append(Recipient(number, row.name, row.values, row.line))
        return True

    for row in rows_from_text(typed):
        add(row, partial(_place, _("line %(line)s"), line=row.line), "recipients")

    for group in groups:
        for contact in group.contacts.all():
            row = Row(line=0, raw=contact.phone, values=contact.placeholder_values(), name=contact.name)
            prepared.fields.update(row.values)
            add(row, partial(_place, _("contact “%(name)s”"), name=contact), "groups")

    if upload is not None and parsed is None:
        try:
            parsed = parse_file(upload_name, upload)
        except FileError as exc:
            prepared.file_error = str(exc)
            return prepared
    if parsed is not None:
        before = len(prepared.recipients)
        numbers_found = 0
        headers = parsed.headers
        for line, e164, cells, raw in parsed.rows:
            values = dict(zip(headers, cells, strict=True))
            name = values.get(headers[parsed.name_column], "") if parsed.name_column is not None else ""
            values.setdefault("name", name)
            where = partial(_place, ROW, row=line)
            if not e164 and not raw.strip():
                prepared.skip("upload", _("%(where)s: no phone number") % {"where": where()})
                continue
            row = Row(line=line, raw=raw, values=values, name=name)
            numbers_found += add(row, where, "upload", Number(e164) if e164 else None)
        if not parsed.phone_by_header and not numbers_found and parsed.first_row:
            # Not a list of numbers without a header either: say what is missing, quote one short sample.
            prepared.skipped, prepared.skipped_count = [], 0
            prepared.file_error = _(
                "No phone column found: name the column of numbers “phone” (or telefon, gsm, cep). "
                "First row: “%(sample)s”."
            ) % {"sample": short(", ".join(c.strip() for c in parsed.first_row if c.strip()))}
            return prepared
        prepared.file_fields = headers
        prepared.fields.update(headers)
        prepared.from_file = len(prepared.recipients) - before
    return prepared


def parse_file(name: str, data: bytes) -> ParsedFile:
    """Reads a recipient file once: every row's number parsed, kept with the row's values by header.

    Raises ``FileError`` when the file cannot be read (a damaged row names itself here).
    """
    table = read_table(name, data)
    width = len(table.headers)
    rows: list[tuple[int, str, list[str], str]] = []
    first_row: list[str] = []
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        first_row = first_row or cells
        values = [cells[i].strip() if i < len(cells) else "" for i in range(width)]
        raw = cells[table.phone_column] if table.phone_column < len(cells) else ""
        e164 = ""
        # A row that is no number keeps its text: prepare_recipients says why, in the reader's language.
        with contextlib.suppress(PhoneNumberError):
            e164 = parse_number(raw).e164 if raw.strip() else ""
        rows.append((number, e164, values, "" if e164 else raw))
    return ParsedFile(
        headers=table.headers,
        phone_by_header=table.phone_by_header,
        name_column=table.name_column,
        first_row=first_row,
        rows=rows,
    )
