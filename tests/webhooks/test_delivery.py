"""Deliveries over real HTTP to receivers on loopback: signed, recorded, retried, never sent twice at once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification
from tests.factories import MembershipFactory
from webhooks import delivery as delivery_service
from webhooks.delivery import RETRY_SCHEDULE, deliveries_due, delivery_send
from webhooks.emitters import emit
from webhooks.models import Attempt, Delivery, Endpoint, EventType

from .conftest import only_delivery
from .receivers import receiver

pytestmark = pytest.mark.django_db


def test_a_delivery_is_posted_signed_and_the_documented_snippet_verifies_it(
    endpoint_to, documented_verify, django_capture_on_commit_callbacks
) -> None:
    with receiver() as hook:
        endpoint = endpoint_to(hook.url)
        with django_capture_on_commit_callbacks(execute=True):  # the task runs once the emitter's commit is done
            emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={"batch": 7, "phone": "+905321111111"})
    (request,) = hook.received
    delivery = only_delivery(endpoint)
    assert delivery.state == Delivery.State.SUCCEEDED and delivery.attempts == 1
    assert request.headers["Telcoportal-Event"] == "sms.delivered"
    assert request.headers["Telcoportal-Delivery"] == str(delivery.public_id)
    assert request.headers["Content-Type"] == "application/json"
    assert documented_verify(endpoint.signing_secret, request.headers["Telcoportal-Signature"], request.body)
    assert not documented_verify("whsec_another", request.headers["Telcoportal-Signature"], request.body)
    assert not documented_verify(endpoint.signing_secret, request.headers["Telcoportal-Signature"], request.body + b" ")
    payload = json.loads(request.body)
    assert payload["id"] == str(delivery.event.public_id)
    assert payload["type"] == "sms.delivered" and payload["team"] == endpoint.team_id
    assert payload["data"] == {"batch": 7, "phone": "+905321111111"}
    (attempt,) = delivery.attempt_rows.all()
    assert attempt.status_code == 200 and attempt.succeeded and attempt.response_excerpt == '{"ok":true}'


def test_an_endpoint_hears_only_of_the_events_it_subscribed_to(endpoint_to) -> None:
    faxes = endpoint_to("https://hooks.example.com/fax", events=["fax.received"])
    assert emit(team_id=faxes.team_id, type=EventType.SMS_DELIVERED, data={}) == 0
    assert emit(team_id=faxes.team_id, type=EventType.FAX_RECEIVED, data={}) == 1
    assert list(faxes.deliveries.values_list("event__type", flat=True)) == ["fax.received"]


def test_a_500_is_an_attempt_recorded_and_a_retry_scheduled_with_backoff(endpoint_to) -> None:
    with receiver(status=500, body=b"x" * 10_000) as hook:
        endpoint = endpoint_to(hook.url)
        emit(team_id=endpoint.team_id, type=EventType.FAX_STATUS, data={"fax": 1})
        delivery = only_delivery(endpoint)
        assert delivery_send(delivery_id=delivery.pk) == "retry"
        delivery.refresh_from_db()
        first = delivery.attempt_rows.get()
        assert first.status_code == 500 and first.error == Attempt.Error.STATUS
        assert len(first.response_excerpt) == 500  # the answer was read up to its cap, an excerpt kept
        assert delivery.state == Delivery.State.PENDING and delivery.attempts == 1
        assert delivery.next_attempt_at - first.started_at >= timedelta(seconds=RETRY_SCHEDULE.delays[0])
        # Not due yet: a task arriving early sends nothing.
        assert delivery_send(delivery_id=delivery.pk) == "not due"
        assert len(hook.received) == 1
        # Once due, the sweep sends it again, and the wait after the second failure is longer.
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert delivery.pk in deliveries_due()
        assert delivery_send(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    second = delivery.attempt_rows.get(number=2)
    assert delivery.next_attempt_at - second.started_at >= timedelta(seconds=RETRY_SCHEDULE.delays[1])
    assert RETRY_SCHEDULE.delays[1] > RETRY_SCHEDULE.delays[0]
    assert endpoint.deliveries.get().attempts == 2 and len(hook.received) == 2


def test_the_retries_span_a_day_and_then_the_delivery_has_failed(endpoint_to) -> None:
    assert timedelta(hours=20) < timedelta(seconds=sum(RETRY_SCHEDULE.delays)) <= timedelta(hours=24)
    with receiver(status=503) as hook:
        endpoint = endpoint_to(hook.url)
        emit(team_id=endpoint.team_id, type=EventType.FAX_STATUS, data={})
        delivery = only_delivery(endpoint)
        Delivery.objects.filter(pk=delivery.pk).update(attempts=RETRY_SCHEDULE.max_attempts - 1)
        assert delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED and delivery.next_attempt_at is None
    assert delivery.attempts == RETRY_SCHEDULE.max_attempts


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout_attempt(endpoint_to) -> None:
    with receiver(stall=True) as hook:
        endpoint = endpoint_to(hook.url)
        emit(team_id=endpoint.team_id, type=EventType.CALL_RECORDED, data={"call": 1})
        delivery = only_delivery(endpoint)
        assert delivery_send(delivery_id=delivery.pk) == "retry"
    attempt = delivery.attempt_rows.get()
    assert attempt.error == Attempt.Error.TIMEOUT and attempt.status_code is None
    assert Delivery.objects.get(pk=delivery.pk).state == Delivery.State.PENDING


def test_a_redirect_is_not_followed(endpoint_to) -> None:
    with receiver() as target, receiver(status=302, location="") as hook:
        hook.location = target.url
        endpoint = endpoint_to(hook.url)
        emit(team_id=endpoint.team_id, type=EventType.SMS_FAILED, data={})
        delivery_send(delivery_id=only_delivery(endpoint).pk)
    attempt = Attempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.status_code == 302 and attempt.error == Attempt.Error.REDIRECT
    assert len(hook.received) == 1 and target.received == []


def test_a_delivery_being_sent_is_not_sent_again_by_a_second_task(endpoint_to) -> None:
    with receiver() as hook:
        endpoint = endpoint_to(hook.url)
        emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={})
        delivery = only_delivery(endpoint)
        assert delivery_service.delivery_claim(delivery_id=delivery.pk, now=timezone.now())  # a worker has it
        assert delivery_send(delivery_id=delivery.pk) == "not due"  # a duplicate of its task
        assert delivery.pk not in deliveries_due()
        assert hook.received == []
        # Its worker died: after the stale-claim time the sweep makes it due again, and it goes once.
        later = timezone.now() + delivery_service.STALE_CLAIM + timedelta(seconds=1)
        assert deliveries_due(now=later) == [delivery.pk]
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert delivery_send(delivery_id=delivery.pk) == "delivered"
        assert delivery_send(delivery_id=delivery.pk) == "not due"
    assert len(hook.received) == 1


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_admins_are_told(endpoint_to, team_a, alice, bob) -> None:
    admin = MembershipFactory(team=team_a, role="admin").user
    with receiver(status=500) as hook:
        endpoint = endpoint_to(hook.url)
        emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={})
        delivery_send(delivery_id=only_delivery(endpoint).pk)
        endpoint.refresh_from_db()
        assert endpoint.is_active and endpoint.failing_since is not None  # failing, not for long yet
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(hours=24, minutes=1))
        Delivery.objects.filter(endpoint=endpoint).update(next_attempt_at=timezone.now())
        delivery_send(delivery_id=only_delivery(endpoint).pk)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_by == Endpoint.DisabledBy.FAILURES
    told = Notification.objects.filter(team=team_a, kind=Kind.WEBHOOK_DISABLED)
    assert set(told.values_list("recipient", flat=True)) == {alice.pk, admin.pk}  # not bob, a viewer
    assert told.first().params["url"] == hook.url
    assert "was disabled" in told.first().message
    # Nothing more goes out while it is disabled; new events are not even stored for it.
    assert deliveries_due() == []
    assert emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={}) == 0


def test_a_success_clears_the_failing_mark(endpoint_to) -> None:
    with receiver() as hook:
        endpoint = endpoint_to(hook.url)
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(hours=3))
        emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={})
        delivery_send(delivery_id=only_delivery(endpoint).pk)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.is_active


def test_the_secret_is_stored_encrypted(endpoint_to) -> None:
    from django.db import connection

    endpoint = endpoint_to("https://hooks.example.com/x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert "s3cr3t" not in stored and Endpoint.objects.get(pk=endpoint.pk).signing_secret.startswith("whsec_s3cr3t")


def test_the_beat_sweep_sends_due_deliveries_whose_task_was_lost(endpoint_to) -> None:
    from webhooks.tasks import deliveries_due_task

    with receiver() as hook:
        endpoint = endpoint_to(hook.url)
        emit(team_id=endpoint.team_id, type=EventType.FAX_RECEIVED, data={})  # its task never ran (no commit here)
        assert hook.received == []
        assert deliveries_due_task.delay().get() == "queued 1"
    assert len(hook.received) == 1 and only_delivery(endpoint).state == Delivery.State.SUCCEEDED
