"""Received faxes: one copy per team whatever the accounts, poison provider records imported around,
provider file names that cannot escape, and a fax whose document failed is fetched again."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from fax.gateways.pasifik import PasifikGateway
from fax.models import Direction, Fax, FaxDocument
from fax.services import inbox, storage
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["pasifik", "telsam", "verimor", "telphin"])
def test_a_second_account_with_the_same_credentials_imports_nothing_twice(
    kind, team_a, sandbox_account, sandbox
) -> None:
    first = sandbox_account(team_a, kind)
    second = sandbox_account(team_a, kind)  # same sandbox credentials: the same inbox

    new = inbox.fax_fetch_incoming(account=first)
    assert new > 0
    notified = Notification.objects.filter(team=team_a, kind="received_fax").count()

    assert inbox.fax_fetch_incoming(account=second) == 0
    received = Fax.objects.filter(team=team_a, direction=Direction.INCOMING)
    assert received.count() == new
    assert received.values("provider_id").distinct().count() == new
    assert Notification.objects.filter(team=team_a, kind="received_fax").count() == notified


def test_the_database_refuses_a_second_copy_of_a_received_fax(team_a, sandbox_account, sandbox) -> None:
    from django.db import IntegrityError, transaction

    first, second = sandbox_account(team_a, "telphin"), sandbox_account(team_a, "telphin")
    inbox.fax_fetch_incoming(account=first)
    fax = Fax.objects.filter(account=first, direction=Direction.INCOMING).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        Fax.objects.create(
            team=team_a,
            account=second,
            direction=Direction.INCOMING,
            provider_kind="telphin",
            provider_id=fax.provider_id,
        )


def _poison_fdr(sandbox, **fields):
    verimor = sandbox.by_name["verimor"]
    good = next(r for r in verimor.records if r["direction"] == "inbound")
    record = {**good, "call_uuid": str(uuid.uuid4()), "start": good["start"] - timedelta(minutes=1), **fields}
    verimor.records.append(record)
    return record


def test_a_verimor_record_with_a_51_character_caller_is_stored_cut_to_its_column_and_blocks_nothing(
    team_a, team_b, sandbox_account, sandbox
) -> None:
    before = inbox.fax_fetch_incoming(account=sandbox_account(team_b, "verimor"))
    caller = "9" * 51
    poison = _poison_fdr(sandbox, caller=caller)
    account = sandbox_account(team_a, "verimor")

    new = inbox.fax_fetch_incoming(account=account)

    assert new == before + 1  # every record, the odd one included
    stored = Fax.objects.get(provider_id=poison["call_uuid"])
    assert stored.remote_number == caller[:32]
    assert stored.raw["remote_number"] == caller and stored.raw["caller_id_number"] == caller
    assert stored.documents.filter(role=FaxDocument.Role.RECEIVED).exists()


def test_a_record_that_cannot_be_stored_is_skipped_and_the_rest_imported_on_every_poll(
    team_a, team_b, sandbox_account, sandbox
) -> None:
    before = inbox.fax_fetch_incoming(account=sandbox_account(team_b, "verimor"))
    _poison_fdr(sandbox, call_uuid="x" * 150)  # longer than any provider id we can keep
    account = sandbox_account(team_a, "verimor")

    new = inbox.fax_fetch_incoming(account=account)

    assert new == before
    assert not Fax.objects.filter(provider_id__startswith="xxx").exists()
    assert account.fax_inbox_poll.skipped == [{"provider_id": "x" * 100, "error": "ValueError"}]
    fresh = _poison_fdr(sandbox)  # a fax arriving later is not held up behind the bad one
    assert inbox.fax_fetch_incoming(account=account) == 1
    assert Fax.objects.filter(provider_id=fresh["call_uuid"]).exists()


def test_a_provider_file_name_climbing_directories_is_kept_as_a_plain_name(
    team_a, sandbox_account, sandbox, monkeypatch
) -> None:
    served = PasifikGateway.incoming_document

    def climbing(self, item):
        document = served(self, item)
        return type(document)(document.content, document.media_type, "../../../etc/cron.d/evil name.pdf")

    monkeypatch.setattr(PasifikGateway, "incoming_document", climbing)
    account = sandbox_account(team_a, "pasifik")

    new = inbox.fax_fetch_incoming(account=account)

    assert new > 0
    documents = FaxDocument.objects.filter(role=FaxDocument.Role.RECEIVED)
    assert documents.count() == new
    for document in documents:
        assert "/" not in document.filename and ".." not in document.filename
        assert document.filename == "evil-name.pdf"
        assert document.file.name.startswith("fax/") and ".." not in document.file.name


def test_safe_filename_keeps_a_base_name_of_allowed_characters() -> None:
    assert storage.safe_filename("..\\..\\x.tif", "image/tiff", fallback="fax-1") == "x.tif"
    assert storage.safe_filename('a"b; filename*=x.html', "application/pdf", fallback="fax-1") == "a-b-filename-x.pdf"
    assert storage.safe_filename("../..", "application/pdf", fallback="fax-1") == "fax-1.pdf"
    assert storage.safe_filename("", "image/tiff", fallback="fax-7") == "fax-7.tif"


def test_a_received_fax_whose_document_failed_is_fetched_again_on_the_next_poll(
    team_a, sandbox_account, sandbox
) -> None:
    account = sandbox_account(team_a, "verimor")
    sandbox.inject("500", provider="verimor", path="fax_documents", times=1000)

    new = inbox.fax_fetch_incoming(account=account)

    assert new > 0
    assert not FaxDocument.objects.exists()
    assert all(f.error_text for f in Fax.objects.filter(direction=Direction.INCOMING))

    sandbox.faults.clear()  # the provider serves documents again
    assert inbox.fax_fetch_incoming(account=account) == 0
    for fax in Fax.objects.filter(direction=Direction.INCOMING):
        assert fax.documents.filter(role=FaxDocument.Role.RECEIVED).exists(), fax.provider_id
        assert fax.error_text == ""


def test_a_document_that_storage_refuses_leaves_the_fax_fetchable_again(
    team_a, sandbox_account, sandbox, monkeypatch
) -> None:
    from django.core.exceptions import SuspiciousFileOperation

    account = sandbox_account(team_a, "telphin")
    real_save = storage.save_document

    def refuse(*args, **kwargs):
        raise SuspiciousFileOperation("Detected path traversal attempt")

    monkeypatch.setattr(storage, "save_document", refuse)
    new = inbox.fax_fetch_incoming(account=account)
    assert new > 0 and not FaxDocument.objects.exists()

    monkeypatch.setattr(storage, "save_document", real_save)
    inbox.fax_fetch_incoming(account=account)
    assert FaxDocument.objects.filter(role=FaxDocument.Role.RECEIVED).count() == new


def test_a_person_can_fetch_a_missing_received_document_from_the_fax_page(
    alice_client, team_a, sandbox_account, sandbox
) -> None:
    from django.urls import reverse

    account = sandbox_account(team_a, "telphin")
    sandbox.inject("500", provider="telphin", path="file", times=1000)
    inbox.fax_fetch_incoming(account=account)
    fax = Fax.objects.filter(direction=Direction.INCOMING).first()
    page = alice_client.get(reverse("fax-detail", args=[fax.pk])).content.decode()
    assert 'data-testid="fetch-received"' in page

    sandbox.faults.clear()
    response = alice_client.get(reverse("fax-document", args=[fax.pk]) + "?role=received")

    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] in (b"%PDF", b"II*\x00", b"MM\x00*")
    assert fax.documents.filter(role=FaxDocument.Role.RECEIVED).count() == 1


def test_a_pasifik_inbox_record_with_a_51_character_caller_blocks_nothing(
    team_a, team_b, sandbox_account, sandbox, monkeypatch
) -> None:
    import dataclasses

    from sandbox.pasifik import fax as pasifik_fax

    before = inbox.fax_fetch_incoming(account=sandbox_account(team_b, "pasifik"))
    assert before > 1
    real = pasifik_fax.inbox_fax

    def odd_caller(slot: int):
        found = real(slot)
        return dataclasses.replace(found, cli="9" * 51) if found is not None else None

    monkeypatch.setattr(pasifik_fax, "inbox_fax", odd_caller)
    account = sandbox_account(team_a, "pasifik")

    assert inbox.fax_fetch_incoming(account=account) == before  # every fax, none stopped at
    received = Fax.objects.filter(team=team_a, direction=Direction.INCOMING)
    assert {f.remote_number for f in received} == {"9" * 32}
    assert all(f.raw["cli"] == "9" * 51 for f in received)
    assert FaxDocument.objects.filter(fax__team=team_a, role=FaxDocument.Role.RECEIVED).count() == before


def test_an_admin_is_told_which_received_faxes_were_skipped(
    alice_client, bob_client, team_a, sandbox_account, sandbox
) -> None:
    from django.urls import reverse

    _poison_fdr(sandbox, call_uuid="y" * 150)
    account = sandbox_account(team_a, "verimor")
    inbox.fax_fetch_incoming(account=account)

    page = alice_client.get(reverse("fax-list")).content.decode()
    assert 'data-testid="inbox-skips"' in page and "1 received fax from " + account.label in page
    assert 'data-testid="inbox-skips"' not in bob_client.get(reverse("fax-list")).content.decode()  # a viewer

    sandbox.by_name["verimor"].records.pop()  # the provider fixed its record
    inbox.fax_fetch_incoming(account=account)
    assert 'data-testid="inbox-skips"' not in alice_client.get(reverse("fax-list")).content.decode()
