"""Received faxes from each provider, stored once; retry, cancel and resend; the watchdog."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from core.retries import RetrySchedule
from fax import tasks
from fax.models import Direction, Fax, FaxDocument, Status
from fax.services import FaxActionError, actions, inbox, retry, watchdog
from notifications.models import Notification
from tests.fax.helpers import send, track

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["pasifik", "telsam", "verimor", "telphin"])
def test_received_faxes_are_stored_once_with_their_document_and_a_notification(
    kind, team_a, sandbox_account, sandbox
) -> None:
    account = sandbox_account(team_a, kind)
    new = inbox.fax_fetch_incoming(account=account)

    assert new > 0, kind
    received = Fax.objects.filter(account=account, direction=Direction.INCOMING)
    assert received.count() == new
    fax = received.first()
    assert fax.status == Status.RECEIVED and fax.remote_number and fax.provider_id
    document = fax.documents.get(role=FaxDocument.Role.RECEIVED)
    with document.file.open("rb") as handle:
        assert handle.read(4) in (b"%PDF", b"II*\x00", b"MM\x00*")
    assert Notification.objects.filter(team=team_a, kind="received_fax").count() == new

    assert inbox.fax_fetch_incoming(account=account) == 0  # once
    assert Fax.objects.filter(account=account, direction=Direction.INCOMING).count() == new


def test_an_inbox_poll_that_fails_stores_nothing_and_says_why(team_a, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "telphin")
    sandbox.inject("503", provider="telphin", path="fax/in", times=10)

    assert tasks.fetch_incoming_for_account(account.pk).startswith("error")
    assert not Fax.objects.exists()


def test_telphin_retry_and_cancel_follow_the_statuses_the_document_allows(
    team_a, alice, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telphin")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550129"])  # fails on attempt 1
    assert actions.can_cancel(fax)  # ready_to_send
    assert not actions.can_retry(fax)
    sandbox.clock.advance(60)
    fax = track(fax)
    assert fax.status == Status.FAILED and fax.provider_status == "failed"
    assert actions.can_retry(fax) and actions.can_cancel(fax)

    actions.fax_retry(fax=fax, actor=alice)
    fax = Fax.objects.get(pk=fax.pk)
    assert fax.status == Status.SENDING and fax.provider_status == "ready_to_send"
    sandbox.clock.advance(60)
    assert track(fax).status == Status.SENT
    assert AuditEvent.objects.filter(action="fax.retry", object_id=str(fax.pk)).exists()


def test_telphin_cancel_of_a_waiting_fax(
    team_a, alice, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telphin")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550123"])

    assert actions.fax_cancel(fax=fax, actor=alice) == Status.CANCELLED
    assert Fax.objects.get(pk=fax.pk).status == Status.CANCELLED
    assert AuditEvent.objects.filter(action="fax.cancel").exists()


def test_the_provider_refusing_a_cancel_is_a_clear_message(
    team_a, alice, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telphin")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550123"])
    sandbox.clock.advance(15)  # now "sending" at the provider, but we still think ready_to_send

    before = len(sandbox.requests_for("telphin"))

    with pytest.raises(FaxActionError, match="already sending this fax"):
        actions.fax_cancel(fax=fax, actor=alice)
    fax = Fax.objects.get(pk=fax.pk)
    assert fax.provider_status == "sending" and not actions.can_cancel(fax)  # no longer offered
    # it asked where the fax is, and sent no cancel that the provider would refuse
    assert [r.method for r in sandbox.requests_for("telphin")[before:]] == ["GET"]


def test_providers_without_retry_offer_none_but_resend_works_everywhere(
    team_a, alice, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "pasifik")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550129"])
    sandbox.clock.advance(200)
    fax = track(fax)
    assert fax.status == Status.FAILED
    assert not actions.can_retry(fax) and not actions.can_cancel(fax)

    with django_capture_on_commit_callbacks(execute=True):
        copy = actions.fax_resend(fax=fax, actor=alice)

    copy = Fax.objects.get(pk=copy.pk)
    assert copy.resent_from == fax and copy.status == Status.SENDING and copy.provider_id != fax.provider_id
    assert {d.file.name for d in copy.documents.all()} == {d.file.name for d in fax.documents.all()}


def test_a_fax_that_never_reached_the_provider_can_be_retried_here(
    team_a, alice, sandbox_account, sandbox_url, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(retry, "SEND_RETRIES", RetrySchedule(delays=(0, 0)))
    account = sandbox_account(team_a, "telphin", base_url="http://127.0.0.1:9/telphin")  # nothing listens there
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550123"])
    assert fax.status == Status.FAILED and not fax.provider_id
    assert actions.can_retry(fax)

    account.base_url = f"{sandbox_url}/telphin"  # the provider is back
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.fax_retry(fax=Fax.objects.get(pk=fax.pk), actor=alice) == "requeued"

    fax = Fax.objects.get(pk=fax.pk)
    assert fax.status == Status.SENDING and fax.provider_id and fax.attempts == 1
    assert fax.events.filter(kind="retry").exists()


def test_the_watchdog_flags_a_stuck_fax_once_and_tells_the_team(team_a) -> None:
    from tests.fax.factories import FaxFactory

    stuck = FaxFactory(team=team_a, status=Status.SENDING, status_changed_at=timezone.now() - timedelta(hours=5))
    FaxFactory(team=team_a, status=Status.SENDING)

    assert watchdog.fax_watchdog() == 1
    assert watchdog.fax_watchdog() == 0
    assert Fax.objects.get(pk=stuck.pk).is_stuck
    assert Notification.objects.get(kind="fax_stuck").url == f"/fax/{stuck.pk}/"


def test_the_periodic_poll_tracks_unfinished_faxes(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telsam")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550123"])
    sandbox.clock.advance(120)

    assert tasks.poll_outgoing_faxes() == "tracking 1, requeued 0"
    assert Fax.objects.get(pk=fax.pk).status == Status.SENT


def test_the_beat_schedule_runs_the_poll_the_inbox_fetch_and_the_watchdog() -> None:
    from django.conf import settings

    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "fax.poll_outgoing_faxes",
        "fax.fetch_incoming_faxes",
        "fax.watch_stuck_faxes",
    } <= tasks_scheduled


def test_a_pasifik_account_without_fax_numbers_is_not_polled_for_faxes(team_a, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "pasifik", options={"language": "tr", "auth_scheme": "bare"})

    assert inbox.fax_fetch_incoming(account=account) == 0
    assert sandbox.requests_for("pasifik") == []


def test_unread_notifications_show_as_a_bell_with_their_count(alice_client, team_a) -> None:
    from django.urls import reverse

    assert 'data-testid="notification-count"' not in alice_client.get(reverse("dashboard")).content.decode()
    Notification.objects.create(team=team_a, kind="received_fax", message="A fax came in")
    Notification.objects.create(team=team_a, kind="received_fax", message="Another fax came in")
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="notification-count">2<' in page
