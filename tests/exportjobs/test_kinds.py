"""Every list too large to stream becomes a background export: the file holds every row, formula-escaped, in the
requester's language; the notification is read in the reader's; another team's job is a 404, and the job asks the
role its list asks."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from exportjobs.models import ExportJob, ExportState
from notifications.models import Kind, Notification
from tests.conftest import client_for
from tests.exportjobs.factories import finished_export
from tests.exportjobs.flow import start_export
from tests.factories import AuditEventFactory
from tests.fax.factories import FaxFactory
from tests.messaging.factories import SmsBatchFactory, SmsChunkFactory, SmsRecipientFactory

pytestmark = pytest.mark.django_db

ROWS = 12  # more than the threshold below
FORMULA = '=HYPERLINK("http://evil.example")'


@dataclass(frozen=True)
class Case:
    make: Callable[[Any], tuple[str, dict[str, str]]]  # ROWS rows of the team -> the list's URL and filters
    column: str  # the column holding FORMULA
    label: str  # the notification's name of the export, in English and in Turkish
    label_tr: str
    turkish: str  # a header or label the Turkish file holds


def _batches(team: Any) -> tuple[str, dict[str, str]]:
    SmsBatchFactory.create_batch(ROWS, team=team, text=FORMULA)
    return reverse("sms-list"), {}


def _recipients(team: Any) -> tuple[str, dict[str, str]]:
    chunk = SmsChunkFactory(batch=SmsBatchFactory(team=team, recipient_count=ROWS), size=ROWS)
    SmsRecipientFactory.create_batch(ROWS, chunk=chunk, name=FORMULA)
    return reverse("sms-detail", args=[chunk.batch.pk]), {}


def _faxes(team: Any) -> tuple[str, dict[str, str]]:
    FaxFactory.create_batch(ROWS, team=team, error=FORMULA)
    return reverse("fax-list"), {"status": "sent"}


def _audit(team: Any) -> tuple[str, dict[str, str]]:
    AuditEventFactory.create_batch(ROWS, team=team, action="provider.update", object_repr=FORMULA)
    return reverse("audit-export"), {"action": "provider.update"}  # not the export's own audit event


CASES = {
    "sms-batches": Case(_batches, "Text", "SMS batches export", "SMS gönderimleri dışa aktarımı", "Gönderici adı"),
    "sms-recipients": Case(
        _recipients, "Name", "SMS recipients export", "SMS alıcıları dışa aktarımı", "Sağlayıcı durumu"
    ),
    "faxes": Case(_faxes, "Error", "Faxes export", "Faks dışa aktarımı", "Gönderildi"),
    "audit-log": Case(_audit, "object", "Audit log export", "Denetim kaydı dışa aktarımı", "ayrıntılar"),
}


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.EXPORT_BACKGROUND_ROWS = 5


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Asks a list for its export as a person does: the list, the confirmation page and its Start button, then the
    job's page (the job queued at commit runs: tasks are eager in tests)."""

    def ask(client, url: str, params: dict[str, str], *, language: str = "en") -> ExportJob:
        headers = {"Accept-Language": language}
        with django_capture_on_commit_callbacks(execute=True):
            start = client.get(url, params, headers=headers)
            assert start.status_code == 302 and start["Location"].startswith("/exports/new/"), start
            page = start_export(client, start["Location"], headers=headers)
        job = ExportJob.objects.get()
        assert page.status_code == 302 and page["Location"] == f"/exports/{job.pk}/"
        return job

    return ask


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("kind", CASES)
def test_a_large_list_is_written_by_a_job_with_every_row_and_a_notice(alice_client, alice, team_a, ask, kind) -> None:
    case = CASES[kind]
    url, params = case.make(team_a)
    job = ask(alice_client, url, {**params, "export": "csv"})
    assert (job.kind, job.state, job.rows_done, job.rows_total) == (kind, ExportState.DONE, ROWS, ROWS)
    assert job.file.startswith(f"exports/{team_a.pk}/") and job.requested_by == alice

    page = alice_client.get(f"/exports/{job.pk}/")
    assert page.status_code == 200 and case.label in page.content.decode()
    download = alice_client.get(f"/exports/{job.pk}/download/")
    header, *rows = _csv(b"".join(download.streaming_content))
    assert len(rows) == ROWS
    assert {row[header.index(case.column)] for row in rows} == {"'" + FORMULA}  # escaped, every row

    notice = Notification.objects.get(kind=Kind.EXPORT_READY)
    assert notice.recipient == alice and notice.url == f"/exports/{job.pk}/"
    assert notice.message == f"{case.label} is ready to download: {ROWS} rows, CSV."
    with override("tr"):
        assert notice.message == f"{case.label_tr} indirilmeye hazır: {ROWS} satır, CSV."


@pytest.mark.parametrize("kind", CASES)
def test_an_xlsx_job_asked_in_turkish_is_written_in_turkish(alice_client, team_a, ask, kind) -> None:
    case = CASES[kind]
    url, params = case.make(team_a)
    job = ask(alice_client, url, {**params, "export": "xlsx"}, language="tr")
    assert job.language == "tr" and job.file.endswith(".xlsx")
    with default_storage.open(job.file, "rb") as stored, zipfile.ZipFile(stored) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row>") == ROWS + 1 and case.turkish in sheet
    assert sheet.count('s="3"') == ROWS  # the formula kept as text ("quote prefix"), every row


@pytest.mark.parametrize("kind", CASES)
def test_another_teams_job_is_not_found(storage_backend, alice_client, team_b, kind) -> None:
    theirs = finished_export(team_b, kind=kind)
    assert alice_client.get(f"/exports/{theirs.pk}/").status_code == 404
    assert alice_client.get(f"/exports/{theirs.pk}/download/").status_code == 404


def test_another_teams_batch_cannot_be_exported_in_the_background(alice_client, team_b) -> None:
    batch = SmsBatchFactory(team=team_b)
    url = f"{reverse('export-start', args=['sms-recipients'])}?batch={batch.pk}"
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"file_format": "csv"}).status_code == 404
    assert not ExportJob.objects.exists()


def test_an_unknown_kind_is_not_found(alice_client) -> None:
    assert alice_client.get(reverse("export-start", args=["passwords"])).status_code == 404
    assert alice_client.post(reverse("export-start", args=["passwords"]), {"file_format": "csv"}).status_code == 404


def test_a_viewer_cannot_export_the_audit_log_in_the_background_nor_read_its_job(storage_backend, bob_client, team_a):
    _audit(team_a)
    assert bob_client.get(reverse("audit-export"), {"action": "provider.update"}).status_code == 403
    assert bob_client.get(reverse("export-start", args=["audit-log"])).status_code == 403
    assert bob_client.post(reverse("export-start", args=["audit-log"]), {"file_format": "csv"}).status_code == 403
    job = finished_export(team_a, kind="audit-log")
    assert bob_client.get(f"/exports/{job.pk}/").status_code == 403
    assert bob_client.get(f"/exports/{job.pk}/download/").status_code == 403
    assert not ExportJob.objects.exclude(pk=job.pk).exists()


@pytest.mark.parametrize("kind", ["sms-batches", "sms-recipients", "faxes"])
def test_a_viewer_exports_the_lists_a_viewer_reads(member_of, team_a, ask, kind) -> None:
    url, params = CASES[kind].make(team_a)
    job = ask(client_for(member_of(team_a, "viewer")), url, {**params, "export": "csv"})
    assert job.rows_done == ROWS


def test_on_postgresql_the_progress_total_is_the_planners_estimate_not_a_count(alice_client, team_a, ask) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN of PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>")
    url, params = _recipients(team_a)
    with CaptureQueriesContext(connection) as queries:
        job = ask(alice_client, url, {**params, "export": "xlsx"})
    assert job.rows_done == ROWS
    assert any(q["sql"].startswith("EXPLAIN (FORMAT JSON)") for q in queries.captured_queries)
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "sms_smsrecipient" in q["sql"]]
