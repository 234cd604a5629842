"""A broker that cannot take a message never turns stored work into a 500 or into lost work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from core.tasks import Task
from fax import tasks as fax_tasks
from fax.services import drafts
from messaging import tasks as sms_tasks
from messaging.models import Contact, ContactImport
from messaging.services import contact_import
from tests.fax.factories import two_page_pdf


def down(*args: Any, **kwargs: Any) -> None:
    raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_every_task_is_queued_after_commit_by_the_project_task_class() -> None:
    assert isinstance(sms_tasks.sms_batch_send_task, Task)
    assert isinstance(fax_tasks.send_fax, Task)


@pytest.mark.django_db(transaction=True)
def test_a_failed_queuing_is_logged_and_handed_to_its_fallback(caplog, monkeypatch) -> None:
    calls: list[str] = []
    task = sms_tasks.sms_batch_send_task
    monkeypatch.setattr(task, "apply_async", down)

    task.apply_async_on_commit((7,), countdown=5, on_queue_error=lambda: calls.append("fallback"))

    assert calls == ["fallback"]
    assert f"{task.name}(7,) could not be queued" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failed_delay_is_logged_and_the_caller_goes_on(caplog, monkeypatch) -> None:
    task = sms_tasks.sms_batch_send_task
    monkeypatch.setattr(task, "apply_async", down)

    task.delay_on_commit(7)

    assert f"{task.name}(7,) could not be queued" in caplog.text


@pytest.mark.django_db
def test_nothing_is_queued_before_the_transaction_commits(monkeypatch, django_capture_on_commit_callbacks) -> None:
    sent: list[tuple[Any, ...]] = []
    task = sms_tasks.sms_batch_send_task
    monkeypatch.setattr(task, "apply_async", lambda *args, **kwargs: sent.append((args, kwargs)))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task.apply_async_on_commit((7,), countdown=5)
        task.delay_on_commit(8)
    assert sent == [] and len(callbacks) == 2

    for callback in callbacks:
        callback()
    assert sent == [(((7,),), {"countdown": 5}), (((8,), {}), {})]


@pytest.mark.django_db(transaction=True)  # on_commit runs at once, as in production
def test_a_large_contact_import_waits_for_the_worker_and_is_queued_again_once_it_is_back(
    alice_client, settings, monkeypatch
) -> None:
    settings.UPLOAD_INLINE_ROWS = 1  # two rows go to the worker
    data = "telefon,ad\n05321000001,Ayşe\n05321000002,Can\n".encode()
    with monkeypatch.context() as patch:
        patch.setattr(sms_tasks.contact_import_task, "apply_async", down)
        response = alice_client.post(
            reverse("sms-contacts"), {"form": "import", "file": SimpleUploadedFile("rehber.csv", data)}
        )
        assert response.status_code == 302  # not a 500
        job = ContactImport.objects.get()
        assert job.state == ContactImport.State.QUEUED
        assert alice_client.get(response["Location"]).status_code == 200

    assert contact_import.contact_imports_resume() == 0  # just uploaded: the first queuing may still arrive
    ContactImport.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert contact_import.contact_imports_resume() == 1  # the task runs eagerly in tests
    assert ContactImport.objects.get().state == ContactImport.State.DONE
    assert Contact.objects.count() == 2
    assert contact_import.contact_imports_resume() == 0


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_fax_preview_is_drawn_in_the_request(team_a, sandbox_account, monkeypatch) -> None:
    account = sandbox_account(team_a, "telphin")
    monkeypatch.setattr(fax_tasks.render_draft, "apply_async", down)

    draft = drafts.draft_create(
        team=team_a,
        actor=None,
        account=account,
        our_number=(account.options or {}).get("fax_numbers", [""])[0],
        recipients=["902129630199"],
        quality="fine",
        scheduled_at=None,
        uploads=[drafts.Upload("contract.pdf", two_page_pdf(), "application/pdf", 2)],
    )

    draft.refresh_from_db()
    assert draft.rendered_at is not None and not draft.render_error_text
