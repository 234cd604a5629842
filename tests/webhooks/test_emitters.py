"""Events stored from the real code paths: a delivery report, a batch's end, a fax, a CDR import, a provider check."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from accounts.provider_checks import provider_account_check
from fax.models import Direction, Fax, Status
from fax.services import inbox
from fax.services.status import set_status
from messaging.services import reports, send
from telephony import services as telephony_services
from telephony.models import CallRecord, ImportWatermark
from tests.fax.factories import FaxFactory
from tests.messaging.test_pipeline import create
from webhooks.models import Delivery, Event
from webhooks.tasks import delivery_send_task

pytestmark = pytest.mark.django_db


def events(type: str) -> list[Event]:
    return list(Event.objects.filter(type=type).order_by("pk"))


@pytest.fixture(autouse=True)
def _reports_at_once(settings) -> None:
    settings.SMS_RECONCILE_GRACE_SECONDS = 0


def test_a_delivery_report_arriving_stores_sms_delivered_and_sms_failed_deliveries(
    team_a, alice, sandbox_account, sandbox, endpoint_to, django_capture_on_commit_callbacks
) -> None:
    endpoint = endpoint_to("http://127.0.0.1:9/hook", events=["sms.delivered", "sms.failed", "sms.batch.finished"])
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO"]}
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(account, alice, ["905321111111", "905322222229"])
    reports.sms_reports_poll()
    assert not Delivery.objects.exists()  # still waiting: nothing to tell
    sandbox.clock.advance(60)
    with patch.object(delivery_send_task, "delay_on_commit") as queued:
        reports.sms_reports_poll()

    (delivered,) = events("sms.delivered")
    assert delivered.data["phone"] == "+905321111111" and delivered.data["batch"] == batch.pk
    assert delivered.data["state"] == "delivered" and delivered.team_id == team_a.pk
    (failed,) = events("sms.failed")
    assert failed.data["phone"] == "+905322222229" and failed.data["state"] == "undelivered"
    (finished,) = events("sms.batch.finished")
    assert finished.data == {
        "batch": batch.pk, "sender": "DEMO", "recipients": 2,
        "delivered": 1, "undelivered": 1, "failed": 0, "cancelled": 0,
    }  # fmt: skip
    assert endpoint.deliveries.filter(state=Delivery.State.PENDING).count() == 3
    assert queued.call_count == 3  # one task per delivery, queued after the commit
    # The next poll learns nothing new and tells nothing again.
    reports.sms_reports_poll()
    assert Event.objects.count() == 3


def test_a_chunk_the_provider_refuses_for_good_is_sms_failed_for_each_recipient(
    team_a, alice, sandbox_account, sandbox, endpoint_to, django_capture_on_commit_callbacks
) -> None:
    endpoint_to("http://127.0.0.1:9/hook", events=["sms.failed"])
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO"]}
    account.save()
    sandbox.inject("expired-token", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=False):
        batch = create(account, alice, ["905321111111", "905322222222"])
        send.sms_batch_send(batch_id=batch.pk)
    failed = events("sms.failed")
    assert sorted(e.data["phone"] for e in failed) == ["+905321111111", "+905322222222"]
    assert {e.data["state"] for e in failed} == {"failed"}


def test_a_team_without_endpoints_stores_no_event(team_a, alice, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO"]}
    account.save()
    create(account, alice, ["905321111111"])
    sandbox.clock.advance(60)
    reports.sms_reports_poll()
    assert not Event.objects.exists()


def test_a_received_fax_and_a_fax_status_change_are_events(team_a, sandbox_account, sandbox, endpoint_to) -> None:
    endpoint_to("http://127.0.0.1:9/hook", events=["fax.received", "fax.status"])
    account = sandbox_account(team_a, "verimor")
    new = inbox.fax_fetch_incoming(account=account)
    received = events("fax.received")
    assert len(received) == new > 0
    fax = Fax.objects.get(pk=received[0].data["fax"])
    assert fax.direction == Direction.INCOMING and received[0].data["remote_number"] == fax.remote_number

    outgoing = FaxFactory(team=team_a, direction=Direction.OUTGOING, status=Status.SENDING)
    set_status(outgoing, Status.SENT, "OK")
    set_status(outgoing, Status.SENT, "OK")  # no change, no event
    (status,) = events("fax.status")
    assert status.data["fax"] == outgoing.pk
    assert (status.data["previous_status"], status.data["status"]) == ("sending", "sent")


def test_a_cdr_import_tells_each_recorded_call_once(team_a, sandbox_account, sandbox, endpoint_to) -> None:
    sandbox.clock.freeze()
    endpoint = endpoint_to("http://127.0.0.1:9/hook", events=["call.recorded"])
    account = sandbox_account(team_a, "pasifik")
    telephony_services.calls_import(account=account, now=sandbox.clock.now())
    recorded = CallRecord.objects.filter(has_recording=True)
    assert recorded.exists()
    told = events("call.recorded")
    assert sorted(e.data["call"] for e in told) == sorted(recorded.values_list("pk", flat=True))
    assert endpoint.deliveries.count() == len(told)
    # Importing the same window again changes nothing and tells nothing again.
    ImportWatermark.objects.update(imported_until=None)
    telephony_services.calls_import(account=account, now=sandbox.clock.now())
    assert Event.objects.count() == len(told)


def test_working_credentials_that_start_failing_are_a_provider_failing_event(
    team_a, sandbox_account, endpoint_to
) -> None:
    endpoint_to("http://127.0.0.1:9/hook", events=["provider.failing"])
    account = sandbox_account(team_a, "pasifik")
    assert provider_account_check(account=account).ok
    account.credentials = {**account.credentials, "password": "wrong"}
    account.save()
    assert not provider_account_check(account=account).ok
    (failing,) = events("provider.failing")
    assert failing.data["account"] == {"id": account.pk, "label": account.label, "kind": "pasifik"}
    assert failing.data["error"]
