"""notify(): recorded, emailed after the commit when the team has an address, told once per condition."""

from __future__ import annotations

from unittest import mock

import pytest

from notifications import services
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

FAX = {"number": "+90 212 555 01 99", "account": "Main fax"}
BATCH = {"id": 7, "sender": "ACME", "delivered": 2, "undelivered": 0}
LOW = {"account": "Main", "balance": "3.50", "currency": "TRY", "threshold": "10"}
STUCK = {"id": 3, "number": "+90 212 555 01 99", "status": "sending", "since": "2026-11-30T20:30:00+00:00"}


def test_it_records_a_notification_and_emails_the_team_address_after_commit(
    team_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    team_a.notification_email = "ops@example.com"
    team_a.save()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notify(team=team_a, kind=Kind.RECEIVED_FAX, params=FAX, url="/fax/1/")
        assert mailoutbox == []  # nothing leaves before the commit

    assert len(callbacks) == 2  # the email's task, and the bell's cached count forgotten again after the commit
    assert notification.kind == "received_fax" and notification.read_at is None
    assert [m.to for m in mailoutbox] == [["ops@example.com"]]
    assert "New fax from +90 212 555 01 99 on Main fax" in mailoutbox[0].body and "/fax/1/" in mailoutbox[0].body
    assert team_a.name in mailoutbox[0].subject
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_it_emails_nobody_when_the_team_has_no_address(team_a, mailoutbox, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(team=team_a, kind=Kind.RECEIVED_FAX, params=FAX)
    assert len(callbacks) == 1 and mailoutbox == []  # only the bell's cached count forgotten after the commit
    assert Notification.objects.filter(team=team_a).count() == 1


def test_it_can_be_told_not_to_email(team_a, mailoutbox, django_capture_on_commit_callbacks) -> None:
    team_a.notification_email = "ops@example.com"
    team_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(team=team_a, kind=Kind.RECEIVED_FAX, params=FAX, email=False)
    assert mailoutbox == []


def test_a_mail_server_that_fails_never_fails_the_caller(team_a, django_capture_on_commit_callbacks) -> None:
    team_a.notification_email = "ops@example.com"
    team_a.save()
    with (
        mock.patch("django.core.mail.send_mail", side_effect=OSError("connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = services.notify(team=team_a, kind=Kind.BATCH_FINISHED, params=BATCH)
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_a_broker_that_fails_never_fails_the_caller(team_a, django_capture_on_commit_callbacks) -> None:
    team_a.notification_email = "ops@example.com"
    team_a.save()
    with (
        mock.patch("notifications.tasks.notification_email_send.delay", side_effect=ConnectionError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.notify(team=team_a, kind=Kind.BATCH_FINISHED, params=BATCH) is not None


def test_a_recurring_condition_is_told_once_until_it_clears(team_a, team_b) -> None:
    def tell(team):
        return services.notify(team=team, kind=Kind.LOW_BALANCE, params=LOW, key="low_balance:1")

    assert tell(team_a) is not None
    assert tell(team_a) is None
    assert tell(team_b) is not None  # another team's condition is its own
    assert services.condition_clear(team=team_a, key="low_balance:1") == 1
    assert tell(team_a) is not None
    assert Notification.objects.filter(team=team_a, kind="low_balance").count() == 2


def test_the_email_task_sends_once(team_a, mailoutbox) -> None:
    from notifications.tasks import notification_email_send

    team_a.notification_email = "ops@example.com"
    team_a.save()
    notification = services.notify(team=team_a, kind=Kind.FAX_STUCK, params=STUCK, email=False)
    assert notification_email_send(notification.pk) == "sent"
    assert notification_email_send(notification.pk) == "already sent"
    assert notification_email_send(0) == "gone"
    assert len(mailoutbox) == 1
