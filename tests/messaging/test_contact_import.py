"""Contact files: limits checked before parsing, damaged files named by row, large files in the worker."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging.models import Contact, ContactImport
from messaging.recipients import prepare_recipients
from messaging.services import contact_import
from tests.messaging.factories import ContactFactory, ContactGroupFactory

pytestmark = pytest.mark.django_db


def _csv(rows: int, start: int = 0) -> str:
    return "telefon,ad\n" + "".join(f"0532{1000000 + start + n},Kişi {n}\n" for n in range(rows))


def _post(client, data: bytes | str, name: str = "rehber.csv", **extra):
    raw = data.encode() if isinstance(data, str) else data
    return client.post(reverse("sms-contacts"), {"form": "import", "file": SimpleUploadedFile(name, raw), **extra})


def _file_error(response) -> str:
    assert response.status_code == 400
    return " ".join(response.context["import_form"].errors["file"])


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(alice_client, settings, monkeypatch) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    monkeypatch.setattr(contact_import, "read_table", lambda *a: pytest.fail("the file was parsed"))
    response = _post(alice_client, "x" * (1024 * 1024 + 1))
    assert _file_error(response) == "The file is larger than 1 MB: split it into smaller files."
    assert not ContactImport.objects.exists()


def test_a_file_over_the_row_limit_is_refused_before_any_row_is_stored(alice_client, settings) -> None:
    settings.UPLOAD_MAX_ROWS = 5
    assert _file_error(_post(alice_client, _csv(6))) == "The file has more than 5 rows: split it into smaller files."
    assert not Contact.objects.exists() and not ContactImport.objects.exists()
    assert _post(alice_client, _csv(5)).status_code == 302


def test_the_limits_are_shown_next_to_the_file_field(alice_client, settings) -> None:
    settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_ROWS = 5 * 1024 * 1024, 20000
    assert "At most 5 MB and 20000 rows." in alice_client.get(reverse("sms-contacts")).content.decode()


def _workbook(cells: int, cell_text: str) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["telefon", "ad"])
    for n in range(cells):
        book.active.append([f"0532{1000000 + n}", cell_text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_small_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_parsed(
    alice_client, settings, monkeypatch
) -> None:
    import openpyxl

    settings.UPLOAD_MAX_BYTES = 1024 * 1024  # so the workbook may unpack to 5 MB
    bomb = _workbook(200, "a" * 30_000)  # about 6 MB of text, packed into a few dozen KB
    assert len(bomb) < 100 * 1024
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the workbook was parsed"))
    message = _file_error(_post(alice_client, bomb, name="rehber.xlsx"))
    assert message == "The workbook unpacks to more than 5 MB: save the sheet as CSV, or split it into smaller files."
    assert not ContactImport.objects.exists()


def test_a_workbook_within_the_unpacked_limit_is_imported(alice_client, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    assert _post(alice_client, _workbook(3, "Kişi"), name="rehber.xlsx").status_code == 302
    assert Contact.objects.count() == 3


def test_a_single_line_larger_than_the_csv_field_limit_names_its_row(alice_client) -> None:
    response = _post(alice_client, "05321111111," + "x" * 200_000)
    assert _file_error(response) == "Row 1: a cell is longer than 131072 characters; the file was read up to there."


def test_a_long_cell_further_down_stops_the_import_there_and_says_which_row(alice_client) -> None:
    data = _csv(3) + "05329999999," + "x" * 200_000 + "\n" + _csv(2, start=50).split("\n", 1)[1]
    page = alice_client.get(_post(alice_client, data)["Location"])
    job = page.context["job"]
    assert (job.state, job.created) == ("failed", 3)
    message = "Row 5: a cell is longer than 131072 characters; the file was read up to there."
    assert page.context["file_error"] == message


def test_a_nul_byte_after_the_first_4_kb_is_named_by_its_row(alice_client) -> None:
    data = _csv(300) + "0532888\x008888,Bozuk\n"
    assert len(data) > 4096
    message = _file_error(_post(alice_client, data))
    assert message.startswith("Row 302 holds a NUL character (byte 0)")
    assert not Contact.objects.exists()


def test_an_undecodable_byte_is_named_by_its_row(alice_client) -> None:
    data = _csv(3).encode("utf-8") + b"05321111119,\xff\x81\n"
    assert _file_error(_post(alice_client, data)).startswith("Row 5: the file's encoding is unknown there")


def test_a_broken_recipient_file_on_the_send_page_is_a_message_not_a_500(team_a) -> None:
    data = ("telefon\n05321111111\n0532" + "1" * 200_000 + "\n").encode()
    prepared = prepare_recipients(team=team_a, upload_name="liste.csv", upload=data)
    assert prepared.file_error.startswith("Row 3: a cell is longer than")


def test_every_left_out_row_is_reported_with_its_number_and_reason(alice_client, team_a) -> None:
    ContactFactory(team=team_a, phone="+905321000000", name="Eski")
    group = ContactGroupFactory(team=team_a)
    data = _csv(3) + "abc,Yanlış\n,Boş\n123,Kısa\n05321000001,Tekrar\n"
    page = alice_client.get(_post(alice_client, data, group=group.pk)["Location"])
    job = page.context["job"]
    assert (job.state, job.created, job.updated, job.duplicates, job.error_count) == ("done", 2, 1, 1, 3)
    assert page.context["row_errors"] == [
        "Row 5: “abc” is not a phone number",
        "Row 6: no phone number",
        "Row 7: “123” is not a valid phone number",
    ]
    assert Contact.objects.get(phone="+905321000000").name == "Kişi 0"
    assert group.contacts.count() == 3


def test_the_report_is_stored_as_codes_and_read_in_the_readers_language(alice_client) -> None:
    location = _post(alice_client, _csv(1) + "abc,Yanlış\n")["Location"]
    assert ContactImport.objects.get().errors == [{"row": 3, "code": "not_a_number", "value": "abc"}]
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    assert alice_client.get(location).context["row_errors"] == ["Satır 3: “abc” bir telefon numarası değil"]


def test_a_large_file_is_imported_by_the_worker_with_its_progress_shown(
    storage_backend, alice_client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.UPLOAD_INLINE_ROWS = 100
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _post(alice_client, _csv(2500))
    job = ContactImport.objects.get()
    assert (response.status_code, job.state, job.total_rows, len(queued)) == (302, "queued", 2500, 1)
    assert storage_backend.names("contact-imports/") == [job.path]  # kept in storage for the worker
    assert storage_backend.read(job.path) == _csv(2500).encode()
    waiting = alice_client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in waiting and "Waiting for the worker" in waiting

    with CaptureQueriesContext(connection) as queries:
        queued[0]()  # the worker's turn (Celery runs eagerly in tests)
    sql = [q["sql"] for q in queries.captured_queries]
    inserts = [q for q in sql if q.startswith("INSERT") and 'INTO "messaging_contact" ' in q]
    # Batches of many rows (SQLite caps a statement at 999 values: about 200 contacts), not 2,500 inserts.
    assert 1 <= len(inserts) <= 25, "contacts are written in bulk, not row by row"
    job.refresh_from_db()
    assert (job.state, job.created, job.processed_rows, job.percent) == ("done", 2500, 2500, 100)
    assert storage_backend.names("contact-imports/") == []  # read, then removed
    done = alice_client.get(response["Location"]).content.decode()
    assert "hx-trigger" not in done and "2500 new contacts" in done


def test_only_the_first_rows_left_out_are_listed_but_all_are_counted(alice_client, monkeypatch) -> None:
    monkeypatch.setattr(ContactImport, "MAX_ERRORS_KEPT", 2)
    page = alice_client.get(_post(alice_client, "telefon\nx1\nx2\nx3\nx4\n")["Location"])
    assert page.context["job"].error_count == 4 and len(page.context["row_errors"]) == 2
    assert "…and 2 more rows not listed here." in page.content.decode()


def test_an_import_runs_once_even_if_its_task_is_delivered_twice(alice_client, team_a, alice) -> None:
    job = contact_import.contact_import_start(team=team_a, actor=alice, name="a.csv", data=_csv(2).encode())
    assert contact_import.contact_import_run(job_id=job.pk).startswith("done")
    assert contact_import.contact_import_run(job_id=job.pk) == "not queued"
    assert Contact.objects.count() == 2


def test_an_import_no_worker_finished_within_a_day_says_it_stopped(alice_client, team_a, alice) -> None:
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    job = contact_import.contact_import_start(team=team_a, actor=alice, name="a.csv", data=_csv(2).encode())
    fresh = contact_import.contact_import_start(team=team_a, actor=alice, name="b.csv", data=_csv(2).encode())
    ContactImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    assert contact_import.contact_imports_expire() == 1
    job.refresh_from_db()
    assert job.state == "failed" and not default_storage.exists(job.path)
    assert "Import the file again" in alice_client.get(reverse("sms-contact-import", args=[job.pk])).content.decode()
    assert ContactImport.objects.get(pk=fresh.pk).state == "queued"
