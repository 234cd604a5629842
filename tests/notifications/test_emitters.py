"""Each kind of notification is emitted by the part of the portal that sees it happen."""

from __future__ import annotations

import pytest

from accounts.provider_checks import provider_account_check
from notifications import services
from notifications.models import Notification
from notifications.tasks import balances_check_all

pytestmark = pytest.mark.django_db


def test_a_received_fax_tells_the_team_with_a_link_to_it(
    team_a, sandbox_account, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    from fax.services import inbox

    team_a.notification_email = "ops@example.com"
    team_a.save()
    account = sandbox_account(team_a, "verimor")
    with django_capture_on_commit_callbacks(execute=True):
        new = inbox.fax_fetch_incoming(account=account)

    notifications = Notification.objects.filter(team=team_a, kind="received_fax")
    assert new > 0 and notifications.count() == new
    fax = team_a.faxes.filter(direction="in").first()
    assert notifications.filter(url=f"/fax/{fax.pk}/").exists()
    assert len(mailoutbox) == new


def test_a_finished_sms_batch_tells_the_team_once(
    team_a, alice, sandbox_account, sandbox, django_capture_on_commit_callbacks, settings
) -> None:
    from messaging.numbers import parse_number
    from messaging.recipients import Recipient
    from messaging.services import create, reports

    settings.SMS_RECONCILE_GRACE_SECONDS = 0
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO"]}
    account.save()
    recipients = [Recipient(parse_number(n), "", {}) for n in ("905321111111", "905322222229")]
    with django_capture_on_commit_callbacks(execute=True):
        batch = create.sms_batch_create(
            create.BatchRequest(
                team=team_a, account=account, actor=alice, sender="DEMO", text="Merhaba", recipients=recipients
            )
        )
    reports.sms_reports_poll()
    assert not Notification.objects.filter(kind="batch_finished").exists()  # still waiting for reports

    sandbox.clock.advance(60)
    reports.sms_reports_poll()
    reports.sms_reports_poll()

    batch.refresh_from_db()
    assert batch.state == "completed"
    notification = Notification.objects.get(team=team_a, kind="batch_finished")
    assert notification.url == f"/sms/{batch.pk}/"
    assert "1 delivered, 1 not delivered" in notification.message


def test_credentials_that_stop_working_are_told_once_until_they_work_again(team_a, sandbox_account) -> None:
    account = sandbox_account(team_a, "pasifik")
    working_password = account.credentials["password"]
    failing = Notification.objects.filter(team=team_a, kind="credentials_failing")

    assert provider_account_check(account=account).ok
    assert not failing.exists()

    account.credentials = {**account.credentials, "password": "wrong"}
    account.save()
    assert not provider_account_check(account=account).ok
    assert failing.count() == 1
    assert account.label in failing.get().message
    assert not provider_account_check(account=account).ok
    assert failing.count() == 1  # still the same condition

    account.credentials = {**account.credentials, "password": working_password}
    account.save()
    assert provider_account_check(account=account).ok
    assert failing.get().cleared_at is not None

    account.credentials = {**account.credentials, "password": "wrong again"}
    account.save()
    provider_account_check(account=account)
    assert failing.count() == 2


def test_a_person_testing_a_connection_is_not_notified(team_a, alice, sandbox_account) -> None:
    account = sandbox_account(team_a, "pasifik")
    assert provider_account_check(account=account).ok
    account.credentials = {**account.credentials, "password": "wrong"}
    account.save()
    assert not provider_account_check(account=account, actor=alice).ok  # the person sees the result there and then
    assert not Notification.objects.filter(kind="credentials_failing").exists()


def test_accounts_never_checked_successfully_are_not_told_as_failing(team_a, sandbox_account) -> None:
    account = sandbox_account(team_a, "pasifik", credentials={"username": "demo", "password": "wrong"})
    assert not provider_account_check(account=account).ok
    assert not Notification.objects.filter(kind="credentials_failing").exists()


def test_a_balance_under_the_threshold_is_told_once_until_it_recovers(team_a, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "low_balance_threshold": "1000000"}
    account.save()
    low = Notification.objects.filter(team=team_a, kind="low_balance")

    assert services.balance_check(account=account) == "low"
    assert services.balance_check(account=account) == "low"
    assert low.count() == 1
    assert "718.21" in low.get().message and "1000000" in low.get().message

    account.options = {**account.options, "low_balance_threshold": "100,50"}
    account.save()
    assert services.balance_check(account=account) == "ok"
    assert low.get().cleared_at is not None


def test_the_periodic_balance_check_reads_only_accounts_with_a_threshold(team_a, sandbox_account, sandbox) -> None:
    with_threshold = sandbox_account(team_a, "pasifik")
    with_threshold.options = {**with_threshold.options, "low_balance_threshold": "5000"}
    with_threshold.save()
    sandbox_account(team_a, "pasifik")  # no threshold: never asked
    sandbox_account(team_a, "verimor")

    assert balances_check_all() == "queued 1"
    assert len(sandbox.requests_for("pasifik", "getsettings")) == 1
    assert Notification.objects.filter(team=team_a, kind="low_balance").count() == 1


def test_an_unreadable_balance_neither_warns_nor_clears(team_a, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "low_balance_threshold": "1000000"}
    account.save()
    assert services.balance_check(account=account) == "low"
    sandbox.inject("503", provider="pasifik", times=10)
    assert services.balance_check(account=account) == "unreadable"
    assert Notification.objects.get(kind="low_balance").cleared_at is None


def test_a_threshold_that_is_not_a_number_is_ignored(team_a, sandbox_account) -> None:
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "low_balance_threshold": "lots"}
    assert services.balance_threshold(account) is None
    assert services.balance_check(account=account) == "no threshold"
