"""Every CSV and XLSX export: formulas defused, XML-illegal characters gone, real dates, streamed."""

from __future__ import annotations

import csv
import email.message
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from core import exports
from tests.exportjobs.flow import start_export
from tests.factories import AuditEventFactory, ProviderAccountFactory
from tests.fax.factories import FaxFactory, fax_contact_for
from tests.messaging.factories import SmsBatchFactory, SmsRecipientFactory
from tests.sources import source_files
from tests.telephony.factories import CallRecordFactory

ROOT = Path(__file__).resolve().parent.parent
ISTANBUL = ZoneInfo("Europe/Istanbul")
EVIL = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", EVIL)
def test_a_csv_cell_that_starts_like_a_formula_gets_a_quote(text: str) -> None:
    assert exports.csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["+905321234567", "-12.50", "Ayşe", "a=b", ""])
def test_plain_text_and_numbers_written_as_text_are_left_alone(text: str) -> None:
    assert exports.csv_text(text) == text


def _xlsx(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _body(response: Any) -> bytes:
    assert response.streaming, "exports stream"
    return b"".join(response.streaming_content)


def _csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))


def test_the_xlsx_writer_keeps_formulas_as_text_drops_control_characters_and_writes_real_dates() -> None:
    when = datetime(2026, 3, 1, 21, 30, 15, tzinfo=UTC)
    rows = [[1, "=SUM(A1:A9)", "bell\x07 and nul\x00 gone\x1f", when, None, True]]
    sheet = _xlsx(b"".join(exports.xlsx_stream(["n", "text", "ctl", "at", "none", "flag"], rows, ISTANBUL)))
    number, formula, control, at, none, flag = next(sheet.iter_rows(min_row=2))
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=SUM(A1:A9)", "s", True)
    assert control.value == "bell and nul gone"
    assert at.is_date and at.value == datetime(2026, 3, 2, 0, 30, 15)  # Istanbul, UTC+3
    assert (number.value, none.value, flag.value) == (1, None, "yes")


def test_xlsx_dates_are_formatted_the_readers_way() -> None:
    with translation.override("tr"):
        data = b"".join(exports.xlsx_stream(["at"], [[datetime(2026, 3, 1, tzinfo=UTC)]], ISTANBUL))
    assert _xlsx(data)["A2"].number_format == "dd.mm.yyyy hh:mm:ss"


def test_the_xlsx_streams_while_it_reads_rows() -> None:
    read = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal read
        for n in range(100_000):
            read += 1
            yield [n, f"row {n}", datetime(2026, 1, 1, tzinfo=UTC)]

    stream = exports.xlsx_stream(["n", "text", "at"], rows(), ISTANBUL)
    next(stream)  # the package head
    next(stream)  # the first rows
    assert read < 1000, "rows are written as they are read, not gathered first"
    data = next(stream) + b"".join(stream)
    assert read == 100_000 and data


def test_no_module_but_the_export_helper_writes_csv_or_xlsx() -> None:
    writers = ("csv.writer(", "DictWriter(", ".writerow(", "TableExport", "Workbook(", "xlsxwriter")
    zip_writer = re.compile(r"ZipFile\([^)]*[\"']w[\"']")  # reading a zip (an uploaded XLSX) is fine
    allowed = {ROOT / "core" / "exports.py"}
    offenders = []
    for path in source_files(".py"):
        if path not in allowed and "sandbox" not in path.parts and "migrations" not in path.parts:
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}: {w}" for w in writers if w in text]
            offenders += [f"{path.relative_to(ROOT)}: ZipFile(…, 'w')" for _ in zip_writer.findall(text)]
    assert offenders == []


# --- every export of the portal ----------------------------------------------------------------


@pytest.fixture
def batch(team_a):
    batch = SmsBatchFactory(team=team_a, text='=HYPERLINK("http://evil.example")', sender="DEMO")
    SmsRecipientFactory(chunk__batch=batch, name="@SUM(1+1)\x0b", status_text="-cmd")
    return batch


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_sms_batch_export_defuses_the_text_an_operator_typed(alice_client, batch, fmt: str) -> None:
    response = alice_client.get(reverse("sms-list"), {"_export": fmt})
    if fmt == "csv":
        header, row = _csv_rows(response)
        assert row[header.index("Text")] == '\'=HYPERLINK("http://evil.example")'
    else:
        cell = _xlsx(_body(response))["D2"]
        assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://evil.example")', "s", True)
        assert _xlsx(_body(alice_client.get(reverse("sms-list"), {"_export": fmt})))["B2"].is_date


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_recipients_export_defuses_names_from_an_uploaded_file(alice_client, batch, fmt: str) -> None:
    response = alice_client.get(reverse("sms-detail", args=[batch.pk]), {"_export": fmt})
    if fmt == "csv":
        row = _csv_rows(response)[1]
        assert row[1:4:2] == ["'@SUM(1+1)\x0b", "'-cmd"]
    else:
        sheet = _xlsx(_body(response))
        assert (sheet["B2"].value, sheet["B2"].quotePrefix) == ("@SUM(1+1)", True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_calls_export_defuses_provider_texts_and_survives_control_characters(alice_client, team_a, fmt) -> None:
    CallRecordFactory(account=ProviderAccountFactory(team=team_a), description="=1+1\x01\x02 ring")
    response = alice_client.get(reverse("calls-export"), {"format": fmt})
    if fmt == "csv":
        header, row = _csv_rows(response)
        assert row[header.index("Description")] == "'=1+1\x01\x02 ring"
    else:
        sheet = _xlsx(_body(response))
        assert (sheet["M2"].value, sheet["M2"].quotePrefix) == ("=1+1 ring", True)
        assert sheet["B2"].is_date


def test_the_audit_export_defuses_labels_and_writes_details_as_json(alice_client, team_a) -> None:
    AuditEventFactory(team=team_a, action="provider.update", object_repr="=cmd|' /C calc'!A0", data={"ok": True})
    header, row = _csv_rows(alice_client.get(reverse("audit-export"), {"action": "provider.update"}))
    assert row[header.index("object")] == "'=cmd|' /C calc'!A0"
    assert json.loads(row[header.index("details")]) == {"ok": True}


def test_the_fax_export_defuses_provider_errors(alice_client, team_a) -> None:
    FaxFactory(team=team_a, error="+HYPERLINK(1)")
    header, row = _csv_rows(alice_client.get(reverse("fax-list"), {"export": "csv"}))
    assert row[header.index("Error")] == "'+HYPERLINK(1)"


def test_a_download_name_cannot_carry_a_second_header_value() -> None:
    response = exports.export_response(
        file_format="csv", filename="x\"; filename*=UTF-8''evil.html; a=\"", headers=["h"], rows=[], zone=UTC
    )
    message = email.message.Message()
    message["Content-Disposition"] = response["Content-Disposition"]
    assert message.get_params(header="Content-Disposition") == [
        ("attachment", ""),
        ("filename", "x\"; filename*=UTF-8''evil.html; a=\".csv"),
    ]


def test_no_module_builds_a_content_disposition_by_hand() -> None:
    # Django's content_disposition_header (directly, or through FileResponse) quotes a provider's file name.
    by_hand = re.compile(
        r"""\[["']Content-Disposition["']\]\s*=(?!\s*content_disposition_header\()"""
        r"|(?:attachment|inline);\s*filename"
    )
    offenders = []
    for path in source_files(".py", ".html", extra=("templates",)):
        if "sandbox" not in path.parts:
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in by_hand.finditer(text)]
    assert offenders == []


def test_every_export_button_says_the_same_thing_in_turkish(alice_client, batch) -> None:
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    pages = [reverse(n) for n in ("sms-list", "calls-list", "fax-list", "audit")]
    labels: set[str] = set()
    for url in [*pages, reverse("sms-detail", args=[batch.pk])]:
        html = alice_client.get(url).content.decode()
        links = re.findall(r'<a [^>]*href="[^"]*(?:_export=|export=|format=|export\.csv)[^"]*"[^>]*>(.*?)</a>', html)
        assert links, f"no export button on {url}"
        labels |= {" ".join(re.sub(r"<[^>]+>", " ", link).split()) for link in links}
    assert labels <= {"CSV olarak dışa aktar", "XLSX olarak dışa aktar"}, labels


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_batchs_recipients_stream_out_of_the_database(alice_client, team_a, monkeypatch, fmt: str) -> None:
    from django.db.models.query import QuerySet

    from messaging.models import SmsRecipient
    from tests.messaging.factories import SmsChunkFactory

    total = 5000
    chunk = SmsChunkFactory(batch=SmsBatchFactory(team=team_a, recipient_count=total), size=total)
    SmsRecipient.objects.bulk_create(
        SmsRecipient(batch=chunk.batch, chunk=chunk, phone=f"+90532{1000000 + n}") for n in range(total)
    )
    read = 0
    real_iterator = QuerySet.iterator

    def counted(self, *args, **kwargs):
        nonlocal read
        for item in real_iterator(self, *args, **kwargs):
            read += 1
            yield item

    monkeypatch.setattr(QuerySet, "iterator", counted)
    response = alice_client.get(reverse("sms-detail", args=[chunk.batch.pk]), {"_export": fmt})
    assert response.streaming
    pieces = iter(response.streaming_content)
    next(pieces), next(pieces), next(pieces)
    assert 0 < read < total, "rows are read from the database as they are written, not gathered first"
    rest = b"".join(pieces)
    assert read == total and rest


# --- the walk: every export of the portal, in both formats ---------------------------------------

FORMULA = '=HYPERLINK("http://evil.example")'


def _sms_batches(team: Any) -> tuple[str, dict[str, str], str]:
    SmsBatchFactory(team=team, text=FORMULA)
    return reverse("sms-list"), {}, "Text"


def _sms_recipients(team: Any) -> tuple[str, dict[str, str], str]:
    recipient = SmsRecipientFactory(chunk__batch=SmsBatchFactory(team=team), name=FORMULA)
    return reverse("sms-detail", args=[recipient.chunk.batch.pk]), {}, "Name"


def _calls(team: Any) -> tuple[str, dict[str, str], str]:
    CallRecordFactory(account=ProviderAccountFactory(team=team), description=FORMULA)
    return reverse("calls-export"), {}, "Description"


def _faxes(team: Any) -> tuple[str, dict[str, str], str]:
    FaxFactory(team=team, error=FORMULA)
    return reverse("fax-list"), {}, "Error"


def _audit(team: Any) -> tuple[str, dict[str, str], str]:
    AuditEventFactory(team=team, action="provider.update", object_repr=FORMULA)
    return reverse("audit-export"), {"action": "provider.update"}, "object"


def _fax_contacts(team: Any) -> tuple[str, dict[str, str], str]:
    fax_contact_for(team, notes=FORMULA)
    return reverse("fax-contacts"), {}, "Notes"


def _call_stats(team: Any) -> tuple[str, dict[str, str], str]:
    CallRecordFactory(account=ProviderAccountFactory(team=team), caller=FORMULA)  # an incoming call, an hour ago
    return reverse("calls-stats"), {"table": "callers"}, "Caller"


EXPORTS = {"sms-list": _sms_batches, "sms-detail": _sms_recipients, "calls-export": _calls, "fax-list": _faxes}
EXPORTS["audit-export"] = _audit
EXPORTS["calls-stats"] = _call_stats
EXPORTS["fax-contacts"] = _fax_contacts


def _assert_defused(response: Any, fmt: str, column: str) -> None:
    """The first row's ``column`` holds FORMULA as text: quoted in CSV, a quote-prefixed string in XLSX."""
    if fmt == "csv":
        header, row = _csv_rows(response)
        assert row[header.index(column)] == "'" + FORMULA
    else:
        sheet = _xlsx(_body(response))
        header = [cell.value for cell in sheet[1]]
        cell = sheet.cell(row=2, column=header.index(column) + 1)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)


@pytest.mark.parametrize("fmt", exports.FORMATS)
@pytest.mark.parametrize("name", EXPORTS)
def test_every_export_defuses_a_formula_in_both_formats(alice_client, team_a, name: str, fmt: str) -> None:
    url, params, column = EXPORTS[name](team_a)
    response = alice_client.get(url, {**params, exports.EXPORT_PARAM: fmt})
    assert response["Content-Type"] == exports.CONTENT_TYPES[fmt]
    assert f".{fmt}" in response["Content-Disposition"]
    _assert_defused(response, fmt, column)


def test_the_walk_covers_every_export() -> None:
    # Every view that answers with an export is in EXPORTS: a new export must join the walk above.
    calls = [
        f"{path.relative_to(ROOT)}"
        for path in source_files(".py")
        if path != ROOT / "core" / "exports.py"
        for _ in range(path.read_text(encoding="utf-8").count("export_response("))
    ]
    assert len(calls) == len(EXPORTS), calls


@pytest.mark.parametrize(
    ("name", "params", "fmt"),
    [
        ("sms-list", {"_export": "xlsx"}, "xlsx"),  # the SMS pages' parameter before every export read "export"
        ("calls-export", {"format": "xlsx"}, "xlsx"),  # the calls export's
        ("calls-export", {}, "csv"),
        ("audit-export", {}, "csv"),
    ],
)
def test_export_links_bookmarked_before_keep_working(alice_client, team_a, name, params, fmt) -> None:
    response = alice_client.get(reverse(name), params)
    assert response["Content-Type"] == exports.CONTENT_TYPES[fmt]


def test_the_audit_exports_old_address_still_answers_with_csv(alice_client, team_a) -> None:
    response = alice_client.get("/team/audit/export.csv")
    assert response["Content-Type"] == exports.CONTENT_TYPES["csv"]


# --- the same walk through the background job (a list too large to stream) -----------------------------------

BACKGROUND = {name: EXPORTS[name] for name in ("sms-list", "sms-detail", "calls-export", "fax-list", "audit-export")}


def _through_the_job(client: Any, url: str, params: dict[str, str], capture: Any) -> Any:
    """The list's export answered by a background job: list → confirmation → Start → job page, then the file."""
    with capture(execute=True):
        start = client.get(url, params)
        assert start.status_code == 302 and start["Location"].startswith("/exports/new/"), start
        page = start_export(client, start["Location"])
    assert page.status_code == 302 and re.fullmatch(r"/exports/\d+/", page["Location"]), page
    return client.get(f"{page['Location']}download/")


@pytest.mark.parametrize("fmt", exports.FORMATS)
@pytest.mark.parametrize("name", BACKGROUND)
def test_every_background_export_defuses_a_formula_in_both_formats(
    alice_client, team_a, settings, django_capture_on_commit_callbacks, name: str, fmt: str
) -> None:
    settings.EXPORT_BACKGROUND_ROWS = 0  # any row at all goes to the worker
    url, params, column = BACKGROUND[name](team_a)
    response = _through_the_job(
        alice_client, url, {**params, exports.EXPORT_PARAM: fmt}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 200 and response["Content-Type"] == exports.CONTENT_TYPES[fmt]
    _assert_defused(response, fmt, column)


def test_every_background_export_kind_is_walked() -> None:
    from core.export_kinds import export_kinds
    from exportjobs.models import ExportJob

    walked = {"sms-list": "sms-batches", "sms-detail": "sms-recipients", "calls-export": "calls", "fax-list": "faxes"}
    walked["audit-export"] = "audit-log"
    assert {walked[name] for name in BACKGROUND} == {kind.name for kind in export_kinds()}
    assert ExportJob._meta.get_field("kind").max_length >= max(len(kind.name) for kind in export_kinds())
