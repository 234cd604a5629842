"""Personal-data requests: every stored form of a number found, exported as one ZIP, erased or anonymised
kind by kind (held items block it, a failure half way leaves each kind whole and a second run completes it)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from accounts.models import AuditEvent
from exportjobs.models import ExportJob, ExportState
from exportjobs.services import export_job_write
from fax.models import Fax, FaxDocument
from messaging.models import Contact, OptOut, SmsBatch, SmsRecipient
from privacy import erasure
from privacy.erasure import ErasureBlocked, ErasureIncomplete, number_hash, personal_data_erase
from privacy.findings import ERASED, personal_data_find
from privacy.models import FileToDelete
from telephony.models import CallRecord
from tests.exportjobs.factories import finished_export
from tests.messaging.factories import ContactFactory, OptOutFactory
from tests.privacy.data import call, fax, file_names, sms_batch, stored

pytestmark = pytest.mark.django_db
NUMBER = "+905321234567"
REQUEST, EXPORT, ERASE = "/privacy/requests/", "/privacy/requests/export/", "/privacy/requests/erase/"


@pytest.fixture
def held_about(team_a, team_b):
    """The number in every kind and stored form, a near miss, and the same number in team B."""
    return {
        "caller": call(team_a, age_days=3, caller=NUMBER, callee="101"),
        "callee_national": call(team_a, age_days=2, caller="102", callee="05321234567", recording=False),
        "callee_bare": call(team_a, age_days=1, caller="103", callee="905321234567"),
        "callee_spaced": call(team_a, age_days=1, caller="104", callee="0532 123 45 67", recording=False),
        "other_call": call(team_a, age_days=1, caller="+905321234568", callee="101"),
        "batch": sms_batch(team_a, age_days=5, phones=(NUMBER, "+905329998877")),
        "contact": ContactFactory(team=team_a, phone=NUMBER, name="Ayşe Yılmaz"),
        "other_contact": ContactFactory(team=team_a, phone="+905321234568"),
        "opt_out": OptOutFactory(team=team_a, phone=NUMBER, reason="İstemiyor"),
        "fax_out": fax(team_a, age_days=4, remote_number="905321234567"),
        "fax_in": fax(team_a, age_days=4, remote_number="0532 123 45 67", direction="in", status="received"),
        "other_fax": fax(team_a, age_days=4, remote_number="902125550199"),
        "their_call": call(team_b, age_days=1, caller=NUMBER),
        "their_contact": ContactFactory(team=team_b, phone=NUMBER),
    }


def test_every_stored_form_of_the_number_is_found_and_nothing_else(team_a, held_about) -> None:
    found = personal_data_find(team=team_a, e164=NUMBER)
    h = held_about
    assert found.call_ids == {h["caller"].pk, h["callee_national"].pk, h["callee_bare"].pk, h["callee_spaced"].pk}
    assert found.recipient_ids == set(
        SmsRecipient.objects.filter(phone=NUMBER, batch=h["batch"]).values_list("pk", flat=True)
    )
    assert found.contact_ids == {h["contact"].pk} and found.opt_out_ids == {h["opt_out"].pk}
    assert found.fax_ids == {h["fax_out"].pk, h["fax_in"].pk}
    assert found.counts() == {
        "calls": 4, "recordings": 2, "sms_recipients": 1, "contacts": 1, "opt_outs": 1, "faxes": 2, "exports": 0,
    }  # fmt: skip


@pytest.mark.parametrize("typed", ["0532 123 45 67", "+90 (532) 123-45-67", "905321234567", "00905321234567"])
def test_the_page_finds_the_number_typed_in_any_format(alice_client: Client, held_about, typed) -> None:
    page = alice_client.post(REQUEST, {"number": typed}).content.decode()
    assert 'id="counts"' in page and "4 calls (2 recorded), 1 SMS recipients, 1 contacts, 1 opt-outs, 2 faxes" in page
    assert "Ayşe Yılmaz" in page


def test_a_number_with_no_data_says_so(alice_client: Client, held_about) -> None:
    alice_client.cookies["django_language"] = "tr"
    page = alice_client.post(REQUEST, {"number": "0555 000 00 00"}).content.decode()
    assert 'id="no-data"' in page and "Bu ekipte 0555 000 00 00" not in page
    assert "hakkında hiçbir veri tutulmuyor" in page
    response = alice_client.post(EXPORT, {"number": "0555 000 00 00"})
    assert response.status_code == 200 and 'id="no-data"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="personal_data.export").exists()


def test_a_text_that_is_no_number_is_refused_and_kept(alice_client: Client) -> None:
    page = alice_client.post(REQUEST, {"number": "abc123"}).content.decode()
    assert "is not a valid phone number" in page and 'value="abc123"' in page


def test_the_archive_holds_a_csv_per_kind_and_the_files(storage_backend, alice_client: Client, held_about) -> None:
    response = alice_client.post(EXPORT, {"number": "0532 123 45 67"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"calls.csv", "sms_recipients.csv", "contacts.csv", "opt_outs.csv", "faxes.csv"} <= names

    def rows(name):
        return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))[1:]

    assert len(rows("calls.csv")) == 4 and len(rows("faxes.csv")) == 2
    assert rows("contacts.csv")[0][:2] == ["Ayşe Yılmaz", NUMBER]
    assert rows("sms_recipients.csv")[0][3:6] == [NUMBER, "Ayşe", "Ayşe, randevunuz yarın"]
    recordings = {n for n in names if n.startswith("recordings/")}
    assert recordings == {
        f"recordings/call-{held_about['caller'].pk}.wav",
        f"recordings/call-{held_about['callee_bare'].pk}.wav",
    }
    caller_recording = held_about["caller"].recording.name
    assert archive.read(f"recordings/call-{held_about['caller'].pk}.wav") == storage_backend.read(caller_recording)
    assert storage_backend.read(caller_recording) == b"RIFF....WAVEfmt "
    assert len([n for n in names if n.startswith("faxes/")]) == 2
    assert "+905321234568" not in archive.read("calls.csv").decode()
    event = AuditEvent.objects.get(action="personal_data.export")
    assert NUMBER not in str(event.data) and event.data["number"] == "+90 532 *** ** 67"
    assert event.data["number_hash"] == number_hash(NUMBER) and event.data["calls"] == 4


def test_erasure_anonymises_deletes_files_and_keeps_counts(storage_backend, team_a, alice, held_about) -> None:
    h = held_about
    files = file_names(h["caller"]) + file_names(h["fax_out"]) + file_names(h["fax_in"])
    outcome = personal_data_erase(team=team_a, e164=NUMBER, actor=alice)

    assert outcome.counts == {
        "calls": 4, "recordings": 2, "sms_recipients": 1, "contacts": 0 + 1, "opt_outs": 1, "faxes": 2,
        "fax_documents": 2, "exports": 0,
    }  # fmt: skip
    assert not any(stored(n) for n in files) and not FileToDelete.objects.exists()
    assert not set(files) & set(storage_backend.names())  # gone from the disk or the bucket itself
    caller = CallRecord.objects.get(pk=h["caller"].pk)
    assert (caller.caller, caller.callee, caller.has_recording, caller.raw) == (ERASED, "101", False, {})
    assert caller.recording_peaks is None
    assert caller.duration == 65 and CallRecord.objects.get(pk=h["callee_spaced"].pk).callee == ERASED
    batch = SmsBatch.objects.get(pk=h["batch"].pk)
    assert batch.recipients.count() == 2 and batch.recipient_count == 2  # counts stay
    erased = batch.recipients.get(phone=ERASED)
    assert (erased.name, erased.text) == ("", "")
    assert not Contact.objects.filter(pk=h["contact"].pk).exists() and not OptOut.objects.filter(team=team_a).exists()
    assert Fax.objects.get(pk=h["fax_in"].pk).remote_number == ERASED
    assert not FaxDocument.objects.filter(fax__in=[h["fax_in"], h["fax_out"]]).exists()
    # the near misses and the other team are untouched
    assert CallRecord.objects.get(pk=h["other_call"].pk).caller == "+905321234568"
    assert stored(CallRecord.objects.get(pk=h["their_call"].pk).recording.name)
    assert Contact.objects.filter(pk__in=[h["other_contact"].pk, h["their_contact"].pk]).count() == 2
    assert all(stored(n) for n in file_names(h["other_fax"]))
    event = AuditEvent.objects.get(action="personal_data.erase")
    assert event.data["complete"] is True and event.data["calls"] == 4 and event.data["files"] == 4
    assert "4567" not in str(event.data).replace(number_hash(NUMBER), "")
    assert personal_data_find(team=team_a, e164=NUMBER).empty


def test_the_erasure_page_asks_for_the_number_again_then_erases(alice_client: Client, team_a, held_about) -> None:
    page = alice_client.post(ERASE, {"number": "05321234567"}).content.decode()
    assert 'id="confirm-erase"' in page and CallRecord.objects.filter(caller=NUMBER, team=team_a).exists()

    wrong = alice_client.post(ERASE, {"number": "05321234567", "confirm": "05321234568"})
    assert "This is not the number above." in wrong.content.decode() and 'value="05321234568"' in wrong.content.decode()
    assert CallRecord.objects.filter(caller=NUMBER, team=team_a).exists()

    done = alice_client.post(ERASE, {"number": "05321234567", "confirm": "+90 532 123 45 67"}, follow=True)
    assert "Erased: 4 calls (2 recordings), 1 SMS recipients, 1 contacts, 1 opt-outs, 2 faxes." in done.content.decode()
    assert not CallRecord.objects.filter(caller=NUMBER, team=team_a).exists()
    assert CallRecord.objects.filter(caller=NUMBER).count() == 1  # team B's


def test_legal_holds_block_the_erasure_and_are_listed(alice_client: Client, team_a, alice, held_about) -> None:
    h = held_about
    CallRecord.objects.filter(pk=h["caller"].pk).update(legal_hold=True, legal_hold_reason="Dava 2026/7")
    SmsBatch.objects.filter(pk=h["batch"].pk).update(legal_hold=True, legal_hold_reason="Denetim")

    with pytest.raises(ErasureBlocked) as blocked:
        personal_data_erase(team=team_a, e164=NUMBER, actor=alice)
    assert [i.url for i in blocked.value.held] == [f"/calls/{h['caller'].pk}/", f"/sms/{h['batch'].pk}/"]

    page = alice_client.post(ERASE, {"number": NUMBER, "confirm": NUMBER}).content.decode()
    assert 'id="held"' in page and "Dava 2026/7" in page and f"/sms/{h['batch'].pk}/" in page
    assert "Nothing was erased" in page and 'id="confirm-erase"' not in page
    assert CallRecord.objects.filter(team=team_a, callee="905321234567").exists()  # nothing erased
    assert Contact.objects.filter(pk=h["contact"].pk).exists()
    assert not AuditEvent.objects.filter(action="personal_data.erase").exists()


def test_a_failure_half_way_leaves_each_kind_whole_and_a_second_run_completes(
    team_a, alice, held_about, monkeypatch
) -> None:
    h = held_about
    fax_files = file_names(h["fax_out"]) + file_names(h["fax_in"])
    real = erasure.ERASERS["faxes"]

    def fails_after_writing(found):
        real(found)  # the fax kind has anonymised its rows and forgotten its documents...
        raise RuntimeError("disk gone")  # ...then fails before its commit

    monkeypatch.setitem(erasure.ERASERS, "faxes", fails_after_writing)
    with pytest.raises(ErasureIncomplete) as stop:
        personal_data_erase(team=team_a, e164=NUMBER, actor=alice)

    assert stop.value.stopped_at == "faxes" and stop.value.counts["calls"] == 4
    assert not CallRecord.objects.filter(team=team_a, callee="905321234567").exists()  # calls committed
    assert Fax.objects.get(pk=h["fax_out"].pk).remote_number == "905321234567"  # faxes rolled back whole
    assert FaxDocument.objects.filter(fax=h["fax_out"]).exists() and all(stored(n) for n in fax_files)
    assert not FileToDelete.objects.exists()
    event = AuditEvent.objects.get(action="personal_data.erase")
    assert event.data["complete"] is False and event.data["stopped_at"] == "faxes"

    monkeypatch.setitem(erasure.ERASERS, "faxes", real)
    outcome = personal_data_erase(team=team_a, e164=NUMBER, actor=alice)
    assert outcome.counts["calls"] == 0 and outcome.counts["faxes"] == 2
    assert not any(stored(n) for n in fax_files)
    assert personal_data_find(team=team_a, e164=NUMBER).empty


def test_the_page_says_where_an_erasure_stopped(alice_client: Client, held_about, monkeypatch) -> None:
    def fails(found):
        raise RuntimeError("database went away")

    monkeypatch.setitem(erasure.ERASERS, "contacts", fails)
    page = alice_client.post(ERASE, {"number": NUMBER, "confirm": NUMBER}).content.decode()
    assert "The erasure stopped at contacts" in page and "Erase again to complete it." in page


def test_another_teams_owner_finds_only_their_own(held_about, charlie) -> None:
    from tests.conftest import client_for

    page = client_for(charlie).post(REQUEST, {"number": NUMBER}).content.decode()
    assert "1 calls (1 recorded), 0 SMS recipients, 1 contacts, 0 opt-outs, 0 faxes" in page


def test_get_on_the_action_addresses_goes_back_to_the_request_page(alice_client: Client) -> None:
    assert alice_client.get(EXPORT)["Location"] == REQUEST
    assert alice_client.get(ERASE)["Location"] == REQUEST


def test_the_teams_background_exports_are_withdrawn_with_their_files(
    storage_backend, alice_client: Client, team_a, team_b, held_about
) -> None:
    """An export made before the erasure may hold the number; it goes with its file. Team B's stays."""
    ours, theirs = finished_export(team_a), finished_export(team_b)
    page = alice_client.post(REQUEST, {"number": NUMBER}).content.decode()
    assert 'id="found-exports"' in page and "1 background export, which may hold the number" in page
    alice_client.cookies["django_language"] = "tr"
    turkish = alice_client.post(REQUEST, {"number": NUMBER}).content.decode()
    assert "Ekibin bu numarayı içerebilecek 1 arka plan dışa aktarması var" in turkish
    alice_client.cookies["django_language"] = "en"

    done = alice_client.post(ERASE, {"number": NUMBER, "confirm": NUMBER}, follow=True).content.decode()
    assert "1 background export of the team was withdrawn with its file" in done
    assert not ExportJob.objects.filter(pk=ours.pk).exists() and not stored(ours.file)
    assert ExportJob.objects.filter(pk=theirs.pk).exists() and stored(theirs.file)
    assert AuditEvent.objects.get(action="personal_data.erase").data["exports"] == 1


def test_a_number_the_team_does_not_hold_leaves_its_exports(alice_client: Client, team_a, held_about) -> None:
    kept = finished_export(team_a)
    page = alice_client.post(REQUEST, {"number": "0555 000 00 00"}).content.decode()
    assert 'id="no-data"' in page and 'id="found-exports"' not in page
    assert personal_data_find(team=team_a, e164="+905550000000").export_ids == set()
    assert ExportJob.objects.filter(pk=kept.pk).exists()


def test_an_export_withdrawn_while_it_was_written_deletes_its_file(storage_backend, team_a, monkeypatch) -> None:
    job = finished_export(team_a)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.QUEUED, file="")
    written = []

    def write_then_withdrawn(job, kind):  # the erasure deletes the job while the worker writes its file
        name = default_storage.save(f"exports/{team_a.pk}/late.csv", ContentFile(b"Id\r\n1\r\n"))
        written.append(name)
        ExportJob.objects.filter(pk=job.pk).delete()
        return name, 1

    monkeypatch.setattr("exportjobs.services._write", write_then_withdrawn)
    assert export_job_write(job_id=job.pk) == "withdrawn"
    assert written and not stored(written[0])
