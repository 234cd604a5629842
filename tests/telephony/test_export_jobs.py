"""Calls exports beyond EXPORT_BACKGROUND_ROWS: an ``exportjobs`` job of kind "calls", written to storage by a
worker, with progress, a notification and a download only the team sees, until it expires."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import override

from exportjobs import services as export_jobs
from exportjobs.models import ExportJob, ExportState
from notifications.models import Kind, Notification
from telephony.models import CallRecord
from telephony.selectors import export_rows
from tests.conftest import client_for
from tests.exportjobs.factories import finished_export
from tests.exportjobs.flow import start_export
from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

ROWS = 23


@pytest.fixture
def calls(team_a):
    account = ProviderAccountFactory(team=team_a, label='=HYPERLINK("http://x")')
    return CallRecordFactory.create_batch(ROWS, account=account, caller="+905321234567")


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.EXPORT_BACKGROUND_ROWS = 10


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    """Asks for an export as a person does (the list redirects to the confirmation page, whose Start button starts
    the job); the job queued at commit runs (tasks are eager in tests)."""

    def ask(client, **params):
        headers = params.pop("headers", {})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get("/calls/export/", params, headers=headers)
            if response.status_code == 302 and response["Location"].startswith("/exports/new/"):
                response = start_export(client, response["Location"], headers=headers)
        return response

    return ask


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_large_export_is_written_in_the_background_with_every_row(alice_client, alice, calls, export) -> None:
    response = export(alice_client, preset="7d", export="csv")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert job.kind == "calls" and job.state == ExportState.DONE and job.rows_total == ROWS and job.rows_done == ROWS
    assert job.file.startswith(f"exports/{job.team_id}/") and job.expires_at > timezone.now()
    assert job.filters["preset"] == ["custom"] and job.filters["date_from"]  # the period fixed when asked
    page = alice_client.get(f"/exports/{job.pk}/")
    assert page.status_code == 200 and b'id="export-download"' in page.content and b"100%" in page.content
    assert b"Calls export" in page.content and b'href="/calls/"' in page.content

    download = alice_client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert f"{job.filename}.csv" in download["Content-Disposition"]
    rows = _csv_rows(b"".join(download.streaming_content))
    assert rows[0][:2] == ["Id", "Start"] and len(rows) == ROWS + 1
    assert {r[0] for r in rows[1:]} == {str(c.pk) for c in calls}
    assert {r[15] for r in rows[1:]} == {'\'=HYPERLINK("http://x")'}  # formula-escaped as the direct export

    notice = Notification.objects.get(kind=Kind.EXPORT_READY)
    assert notice.recipient == alice and notice.url == f"/exports/{job.pk}/"
    assert notice.message == f"Calls export is ready to download: {ROWS} rows, CSV."


def test_the_background_file_holds_what_the_direct_export_holds(
    storage_backend, alice_client, calls, settings, export
) -> None:
    settings.EXPORT_BACKGROUND_ROWS = 1000
    direct = b"".join(export(alice_client, preset="7d", export="csv").streaming_content)
    assert not ExportJob.objects.exists()  # small: streamed as before
    settings.EXPORT_BACKGROUND_ROWS = 10
    export(alice_client, preset="7d", export="csv")
    job = ExportJob.objects.get()
    with default_storage.open(job.file, "rb") as stored:
        assert stored.read() == direct
    assert storage_backend.names("exports/") == [job.file] and storage_backend.read(job.file) == direct
    download = alice_client.get(f"/exports/{job.pk}/download/")
    assert b"".join(download.streaming_content) == direct


def test_an_xlsx_export_in_turkish_is_a_workbook_and_the_notice_is_read_in_turkish(alice_client, calls, export) -> None:
    export(alice_client, preset="7d", export="xlsx", headers={"Accept-Language": "tr"})
    job = ExportJob.objects.get()
    assert job.language == "tr" and job.file.endswith(".xlsx")
    with default_storage.open(job.file, "rb") as stored, zipfile.ZipFile(stored) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row>") == ROWS + 1 and "Arayan" in sheet  # "Caller", in the requester's language
    notice = Notification.objects.get(kind=Kind.EXPORT_READY)
    with override("tr"):
        assert notice.message == f"Çağrı dışa aktarımı indirilmeye hazır: {ROWS} satır, XLSX."


def test_another_teams_export_is_not_found(storage_backend, alice_client, team_b) -> None:
    theirs = finished_export(team_b)
    assert alice_client.get(f"/exports/{theirs.pk}/").status_code == 404
    assert alice_client.get(f"/exports/{theirs.pk}/download/").status_code == 404


def test_the_old_calls_export_links_still_show_the_job_and_its_file(storage_backend, alice_client, team_a) -> None:
    job = finished_export(team_a)
    assert b'id="export-download"' in alice_client.get(f"/calls/exports/{job.pk}/").content
    download = alice_client.get(f"/calls/exports/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\xef\xbb\xbfId")


def test_an_expired_export_is_no_longer_downloaded_and_the_sweep_deletes_it(
    storage_backend, alice_client, team_a
) -> None:
    job = finished_export(team_a)
    assert alice_client.get(f"/exports/{job.pk}/download/").status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert alice_client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert b'id="export-expired"' in alice_client.get(f"/exports/{job.pk}/").content
    assert export_jobs.export_jobs_sweep() == 1
    assert not ExportJob.objects.exists() and not default_storage.exists(job.file)
    assert storage_backend.names("exports/") == []


def test_a_running_export_shows_its_progress_and_polls(alice_client, team_a) -> None:
    job = ExportJob.objects.create(team=team_a, kind="calls", file_format="csv", language="en", filename="calls",
                                   state=ExportState.RUNNING, rows_total=200_000)  # fmt: skip

    cache.set(export_jobs.progress_key(job.pk), 50_000)
    part = alice_client.get(f"/exports/{job.pk}/", {"part": "progress"})
    assert b"50000 of about 200000 rows written" in part.content and b"25%" in part.content
    assert b'hx-trigger="every 2s"' in part.content

    cache.set(export_jobs.progress_key(job.pk), 250_000)  # the planner's estimate fell short
    part = alice_client.get(f"/exports/{job.pk}/", {"part": "progress"})
    assert b"250000 of about 250000 rows written" in part.content and b"99%" in part.content


def test_a_viewer_may_export_in_the_background(member_of, team_a, calls, export) -> None:
    viewer = client_for(member_of(team_a, "viewer"))
    response = export(viewer, preset="all", export="csv")
    assert response.status_code == 302
    assert ExportJob.objects.get().rows_done == ROWS


def test_on_postgresql_the_worker_reads_through_a_cursor_without_hold(calls) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("reads pg_cursors: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>")
    with export_jobs._reading():
        rows = export_rows(CallRecord.objects.all())
        next(rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT is_holdable FROM pg_cursors WHERE name <> ''")
            holdable = [row[0] for row in cursor.fetchall()]
        list(rows)
    assert holdable == [False]  # one named cursor, not WITH HOLD
