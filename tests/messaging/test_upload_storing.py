"""A confirmed file is stored in the background from the rows its review read: the Confirm returns at
once, the batch page shows the storing, every recipient is stored exactly once (a retried or duplicated
storing adds nothing), and a storing that fails says so on the batch page, in the reader's language.

Runs on SQLite (batched INSERTs) and, with DATABASE_URL at PostgreSQL, on PostgreSQL (COPY)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from messaging import uploads
from messaging.models import SmsBatch
from messaging.services import send_queue, store
from messaging.tasks import sms_batch_store_task
from tests.messaging.reviewing import through_review

pytestmark = pytest.mark.django_db

ROWS = 30  # 15 chunks of 2 (the test account's chunk size)


def file_of(rows: int) -> SimpleUploadedFile:
    lines = ["telefon;ad"] + [f"0532{1000000 + i};Çağrı {i}" for i in range(rows)]
    lines.append("+49 151 2345 6789;Jürgen")  # abroad: a chunk of its own
    return SimpleUploadedFile("liste.csv", "\n".join(lines).encode("cp1254"), content_type="text/csv")


def review(client: Client, account: Any) -> Any:
    payload = {
        "account": account.pk,
        "sender": "DEMO",
        "text": "Merhaba {ad}",
        "upload": file_of(ROWS),
        "confirm": "on",
    }
    response = client.post(reverse("sms-new"), payload)
    assert response.status_code == 200 and 'id="review"' in response.content.decode(), response.context["form"].errors
    return response


def confirm_without_the_worker(client: Client, response: Any, capture: Any) -> SmsBatch:
    """Clicks Confirm; the storing task is queued but not run (as when the worker has not taken it yet)."""
    with capture(execute=False):
        sent = through_review(client, response)
    assert sent.status_code == 302
    return SmsBatch.objects.get()


def stored_once(batch: SmsBatch) -> None:
    phones = list(batch.recipients.values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) == ROWS + 1 == batch.recipient_count
    assert sorted(batch.chunks.values_list("index", flat=True)) == list(range(16))
    assert batch.recipients.get(phone="+905321000007").text == "Merhaba Çağrı 7"
    assert batch.recipients.get(phone="+4915123456789").chunk.universal


def break_step(monkeypatch: pytest.MonkeyPatch, step: int, error: BaseException) -> Any:
    """Steps of 3 chunks, the ``step``-th raising ``error`` before it writes anything; returns the real writer."""
    monkeypatch.setattr(store, "CHUNKS_PER_STEP", 3)
    real, calls = store.write_chunks, []

    def broken(*args: Any) -> int:
        calls.append(args)
        if len(calls) == step:
            raise error
        return real(*args)

    monkeypatch.setattr(store, "write_chunks", broken)
    return real


def progress(client: Client, batch: SmsBatch) -> str:
    return client.get(reverse("sms-progress", args=[batch.pk])).content.decode()


def test_confirm_returns_with_the_batch_storing_and_its_page_shows_the_progress(
    alice_client, sms_account, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    batch = confirm_without_the_worker(
        alice_client, review(alice_client, sms_account), django_capture_on_commit_callbacks
    )
    assert batch.state == SmsBatch.State.STORING and not batch.sendable
    assert batch.recipient_count == ROWS + 1 and not batch.recipients.exists()
    html = alice_client.get(reverse("sms-detail", args=[batch.pk])).content.decode()
    assert "data-storing" in html and "Storing the recipients: 0 of 31 stored." in html
    assert 'hx-trigger="every 2s"' in progress(alice_client, batch)  # the page keeps asking while it stores
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    assert "Alıcılar kaydediliyor: 31 alıcıdan 0 tanesi kaydedildi." in progress(alice_client, batch)

    queued: list[int] = []
    monkeypatch.setattr(send_queue, "sms_batch_queue", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert store.sms_batch_store(batch_id=batch.pk) == f"stored {ROWS + 1}"
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SENDING and batch.stored_count == ROWS + 1
    assert queued == [batch.pk]  # the send, queued once every recipient is in
    stored_once(batch)
    assert not default_storage.exists(f"sms-uploads/{batch.team_id}/batch-{batch.pk}.json")


def test_a_confirmed_file_is_stored_from_the_rows_its_review_read_even_with_the_file_gone(
    alice_client, sms_account, team_a, django_capture_on_commit_callbacks
) -> None:
    response = review(alice_client, sms_account)
    token = response.context["form"].kept_upload
    default_storage.delete(f"{uploads.FOLDER}/{team_a.pk}/{token.partition('/')[0]}")  # the file itself, not its rows
    with django_capture_on_commit_callbacks(execute=True):
        sent = through_review(alice_client, response)
    assert sent.status_code == 302
    batch = SmsBatch.objects.get()
    assert batch.state == SmsBatch.State.SUBMITTED or batch.state == SmsBatch.State.SENDING
    stored_once(batch)
    assert uploads.load_parsed(team=team_a, token=token) is None  # the kept rows go with the confirmed send


def test_a_storing_cut_off_midway_and_run_again_stores_every_recipient_once(
    alice_client, sms_account, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    batch = confirm_without_the_worker(
        alice_client, review(alice_client, sms_account), django_capture_on_commit_callbacks
    )
    # Not an Exception: nothing marks the batch, as with kill -9.
    real = break_step(monkeypatch, 3, SystemExit("worker killed"))
    with pytest.raises(SystemExit):
        store.sms_batch_store(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.STORING and batch.stored_count == 12 == batch.recipients.count()
    assert "Storing the recipients: 12 of 31 stored." in progress(alice_client, batch)

    monkeypatch.setattr(store, "write_chunks", real)
    with django_capture_on_commit_callbacks(execute=False):
        sms_batch_store_task.apply(args=(batch.pk,))  # acks_late: the broker hands the task out again
        assert store.sms_batch_store(batch_id=batch.pk) == "nothing to store"  # a duplicate of it
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SENDING and batch.stored_count == ROWS + 1
    stored_once(batch)


def test_the_watchdog_queues_a_stopped_storing_again(
    alice_client, sms_account, django_capture_on_commit_callbacks
) -> None:
    batch = confirm_without_the_worker(
        alice_client, review(alice_client, sms_account), django_capture_on_commit_callbacks
    )
    SmsBatch.objects.filter(pk=batch.pk).update(progress_at="2000-01-01T00:00Z")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_queue.sms_send_watchdog().startswith("1 batches resumed")
    batch.refresh_from_db()
    assert batch.state != SmsBatch.State.STORING
    stored_once(batch)


def test_a_storing_that_fails_says_why_on_the_batch_page_and_leaves_nothing_half_stored(
    alice_client, sms_account, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    batch = confirm_without_the_worker(
        alice_client, review(alice_client, sms_account), django_capture_on_commit_callbacks
    )
    break_step(monkeypatch, 2, DatabaseError("disk full"))
    assert store.sms_batch_store(batch_id=batch.pk) == "not stored"
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.NOT_STORED and not batch.sendable
    assert not batch.chunks.exists() and not batch.recipients.exists() and batch.stored_count == 0
    html = alice_client.get(reverse("sms-detail", args=[batch.pk])).content.decode()
    assert "data-not-stored" in html and "The recipients could not be stored, so nothing was sent." in html
    assert 'hx-trigger="every 2s"' not in progress(alice_client, batch)
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    turkish = progress(alice_client, batch)
    assert "Alıcılar kaydedilemedi, bu yüzden hiçbir şey gönderilmedi." in turkish and "Kaydedilmedi" in turkish
    assert store.sms_batch_store(batch_id=batch.pk) == "nothing to store"  # a late duplicate changes nothing


def test_a_storing_whose_kept_recipients_are_gone_says_so(
    alice_client, sms_account, team_a, django_capture_on_commit_callbacks
) -> None:
    batch = confirm_without_the_worker(
        alice_client, review(alice_client, sms_account), django_capture_on_commit_callbacks
    )
    default_storage.delete(f"sms-uploads/{team_a.pk}/batch-{batch.pk}.json")  # purged after a day
    assert store.sms_batch_store(batch_id=batch.pk).startswith("not stored")
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.NOT_STORED
    assert "The recipients to store were no longer kept" in progress(alice_client, batch)


def test_every_recipient_column_is_written(sms_account, alice) -> None:
    """COPY and the batched INSERT name every column: a new column without a default must be added here."""
    columns, defaults = store._columns()
    assert set(columns) == {f.column for f in store.SmsRecipient._meta.concrete_fields if not f.primary_key}
    assert len(defaults) == len(columns) - len(store._GIVEN)
