"""A fax send that stops must resume: the watchdog requeues lost sends and reconciles sends cut off on the wire."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fax import tasks
from fax.models import Fax, FaxEvent, Status
from fax.services import drafts, retry, sending, watchdog
from tests.fax.helpers import draft_on

pytestmark = pytest.mark.django_db

OK_NUMBER = "902125550123"
SUBMIT_PATH = {"pasifik": "fax/submit", "telsam": "fax/send", "telphin": "fax/out"}


class WorkerDied(BaseException):
    """What a kill -9 of the worker child looks like from the code's side: it simply stops there."""


@pytest.fixture
def account(request, team_a, sandbox_account):
    return sandbox_account(team_a, request.param)


def _queued(account: Any, capture: Any) -> Fax:
    """A confirmed fax whose send task was lost with the worker that held it."""
    draft = draft_on(account, recipients=[OK_NUMBER])
    with capture(execute=False):
        [fax] = drafts.draft_confirm(draft=draft, actor=None)
    return fax


def _age(fax: Fax, seconds: int) -> None:
    then = timezone.now() - timedelta(seconds=seconds)
    Fax.objects.filter(pk=fax.pk).update(status_changed_at=then)
    FaxEvent.objects.filter(fax=fax).update(at=then)


def _submits(sandbox: Any, kind: str) -> int:
    return sum(1 for r in sandbox.requests_for(kind, SUBMIT_PATH[kind]) if r.method == "POST")


@pytest.mark.parametrize("account", ["pasifik", "telsam", "telphin"], indirect=True)
def test_a_fax_whose_worker_died_on_the_wire_is_marked_unknown_and_reconciled_not_resent(
    account, alice_client, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    fax = _queued(account, django_capture_on_commit_callbacks)

    def die(*args: Any, **kwargs: Any) -> None:
        raise WorkerDied  # the provider took the fax; the worker child was killed before writing it down

    with monkeypatch.context() as patch:
        patch.setattr(sending, "accepted", die)
        with pytest.raises(WorkerDied):
            sending.fax_send(fax_id=fax.pk)
    fax.refresh_from_db()
    assert fax.status == Status.SENDING and not fax.provider_id and not fax.outcome_unknown
    assert _submits(sandbox, account.kind) == 1

    _age(fax, seconds=sending.SEND_TIME_LIMIT - 30)  # its task could still be alive: left alone
    assert tasks.fax_send_watchdog() == "requeued 0, cut off 0"

    _age(fax, seconds=sending.SEND_TIME_LIMIT + 10)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.track_fax, "delay", lambda pk: None)  # beat's fax poll comes later
        assert tasks.fax_send_watchdog() == "requeued 0, cut off 1"
    fax.refresh_from_db()
    assert fax.outcome_unknown and fax.status == Status.SENDING
    assert fax.events.filter(kind="unknown").exists()
    page = alice_client.get(reverse("fax-detail", args=[fax.pk])).content.decode()
    assert "Checking with the provider" in page

    tasks.track_fax(fax.pk)  # what the watchdog queues right away
    fax.refresh_from_db()
    assert fax.provider_id and not fax.outcome_unknown
    assert fax.events.filter(kind="accepted").exists()
    assert _submits(sandbox, account.kind) == 1  # found at the provider, never sent again


@pytest.mark.parametrize("account", ["pasifik"], indirect=True)
def test_a_queued_fax_whose_task_was_lost_is_sent_once_after_the_stall_period(
    account, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = _queued(account, django_capture_on_commit_callbacks)
    _age(fax, seconds=settings.SEND_STALL_SECONDS - 20)
    assert tasks.fax_send_watchdog() == "requeued 0, cut off 0"

    _age(fax, seconds=settings.SEND_STALL_SECONDS + 5)
    assert tasks.fax_send_watchdog() == "requeued 1, cut off 0"

    fax.refresh_from_db()
    assert fax.provider_id and fax.attempts == 1
    assert fax.events.filter(kind="resumed").exists()
    assert _submits(sandbox, "pasifik") == 1
    assert tasks.fax_send_watchdog() == "requeued 0, cut off 0"


@pytest.mark.parametrize("account", ["pasifik"], indirect=True)
def test_a_fax_waiting_out_its_retry_delay_is_not_taken_for_stalled(
    account, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = _queued(account, django_capture_on_commit_callbacks)
    Fax.objects.filter(pk=fax.pk).update(attempts=2)  # the provider refused twice: next try in 300 s
    _age(fax, seconds=settings.SEND_STALL_SECONDS + retry.SEND_RETRIES.delay_after(2) - 30)
    assert watchdog.stale_queued() == []

    _age(fax, seconds=settings.SEND_STALL_SECONDS + retry.SEND_RETRIES.delay_after(2) + 5)
    assert watchdog.stale_queued() == [fax.pk]
    assert watchdog.stale_queued() == []  # once per stall period: its timeline now says it was queued again


def test_the_fax_send_goes_back_to_the_queue_when_its_worker_dies_and_the_watchdog_is_on_beat() -> None:
    assert tasks.send_fax.acks_late and tasks.send_fax.reject_on_worker_lost
    assert tasks.send_fax.time_limit == sending.SEND_TIME_LIMIT
    on_beat = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.fax_send_watchdog.name]
    assert len(on_beat) == 1 and on_beat[0]["schedule"] < settings.SEND_STALL_SECONDS / 2


@pytest.mark.django_db(transaction=True)  # the page's on_commit runs at once, as in production
@pytest.mark.parametrize("account", ["pasifik"], indirect=True)
def test_a_fax_confirmed_while_the_broker_is_down_is_stored_and_sent_by_the_watchdog(
    account, alice_client, sandbox, monkeypatch
) -> None:
    from kombu.exceptions import OperationalError as BrokerDown

    draft = draft_on(account, recipients=[OK_NUMBER])

    def down(*args: Any, **kwargs: Any) -> None:
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.send_fax, "apply_async", down)
        response = alice_client.post(reverse("fax-draft", args=[draft.pk]))
    assert response.status_code == 302  # not a 500
    fax = Fax.objects.get(draft=draft)
    assert fax.status == Status.QUEUED and fax.attempts == 0 and _submits(sandbox, account.kind) == 0

    _age(fax, seconds=settings.SEND_STALL_SECONDS + 5)  # the broker is back; beat's next watchdog round
    assert tasks.fax_send_watchdog() == "requeued 1, cut off 0"
    fax.refresh_from_db()
    assert fax.provider_id and fax.attempts == 1 and _submits(sandbox, account.kind) == 1
