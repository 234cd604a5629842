"""A send scheduled for later waits in the portal: released once by the worker when due, edited or cancelled until then.

Every time here is relative to one explicit "now" handed to the services; nothing sleeps or reads the hour.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from messaging.models import SmsBatch, SmsChunk, SmsRecipient
from messaging.services import scheduled, send, send_queue
from messaging.services.create import BatchRequest, sms_batch_create
from messaging.services.errors import SmsError
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.messaging.test_pipeline import people

pytestmark = pytest.mark.django_db

LATER = timedelta(hours=3)


def submits(sandbox) -> list:
    return sandbox.requests_for("pasifik", "sms/submit")


def held_batch(account, actor, capture, *, when=None, text="Merhaba", numbers=("905321111111", "905322222222")):
    with capture(execute=True):
        return sms_batch_create(
            BatchRequest(
                team=account.team,
                account=account,
                actor=actor,
                sender="DEMO",
                text=text,
                recipients=people(*numbers),
                scheduled_at=when or timezone.now() + LATER,
            )
        )


def release(now, capture) -> int:
    with capture(execute=True):
        return scheduled.sms_scheduled_release(now=now)


def test_a_send_scheduled_later_than_the_threshold_is_held_and_nothing_reaches_the_provider(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    assert batch.state == SmsBatch.State.SCHEDULED
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.QUEUED}
    # A stray send task (a duplicate, an old message) claims nothing while the batch is held.
    assert send.sms_batch_send(batch_id=batch.pk) == "skipped: scheduled"
    assert send.sms_chunk_submit(chunk_id=batch.chunks.first().pk, client=None) is False
    assert submits(sandbox) == []
    assert AuditEvent.objects.get(action="sms.send").data["held"] is True


def test_a_send_due_within_the_threshold_goes_to_the_provider_at_once_with_its_time(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks, settings
) -> None:
    settings.SEND_HOLD_THRESHOLD_MINUTES = 5
    when = timezone.now() + timedelta(minutes=4)
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks, when=when)
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SUBMITTED
    [request] = submits(sandbox)
    assert "scheduled_delivery_time" in json.loads(request.body)


def test_a_held_batch_is_released_when_due_and_submitted_exactly_once(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    due = batch.scheduled_at
    assert release(due - timedelta(minutes=30), django_capture_on_commit_callbacks) == 0
    assert submits(sandbox) == []
    assert release(due - timedelta(minutes=4), django_capture_on_commit_callbacks) == 1
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SUBMITTED
    [request] = submits(sandbox)  # chunk size 2: both numbers in one submit
    assert "scheduled_delivery_time" in json.loads(request.body)  # the provider keeps it for the last minutes
    # A late beat, or a second worker, finds nothing left to release; a duplicate send task submits nothing.
    assert release(due, django_capture_on_commit_callbacks) == 0
    assert send.sms_batch_send(batch_id=batch.pk) == "skipped: submitted"
    assert len(submits(sandbox)) == 1


def test_two_workers_claiming_the_same_due_batch_release_it_once(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    now = batch.scheduled_at
    with django_capture_on_commit_callbacks(execute=False) as first_worker:
        # Both saw the batch as due before either claimed it.
        seen = list(SmsBatch.objects.filter(state=SmsBatch.State.SCHEDULED).values_list("pk", flat=True))
        assert scheduled.sms_scheduled_release(now=now) == 1
    assert seen == [batch.pk]
    assert release(now, django_capture_on_commit_callbacks) == 0  # the second worker's claim loses
    for queued in first_worker:
        queued()
    for _ in range(2):  # and the send task, even run twice, submits each chunk once
        send.sms_batch_send(batch_id=batch.pk)
    assert len(submits(sandbox)) == 1


def test_a_restart_between_the_claim_and_the_send_is_picked_up_by_the_watchdog_and_sends_once(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):  # the worker died before its queued send ran
        assert scheduled.sms_scheduled_release(now=batch.scheduled_at) == 1
    assert submits(sandbox) == []
    # No progress for longer than the stall period: the watchdog queues the send again.
    SmsBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() - send_queue.stall_period() * 2)
    with django_capture_on_commit_callbacks(execute=True):
        send_queue.sms_send_watchdog()
    with django_capture_on_commit_callbacks(execute=True):
        send_queue.sms_send_watchdog()
    assert len(submits(sandbox)) == 1
    assert release(batch.scheduled_at, django_capture_on_commit_callbacks) == 0


def test_cancelling_a_held_batch_sends_nothing_and_is_audited(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    assert scheduled.sms_scheduled_cancel(batch=batch, actor=alice) == 2
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.CANCELLED
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.CANCELLED}
    assert set(batch.recipients.values_list("state", flat=True)) == {SmsRecipient.State.CANCELLED}
    event = AuditEvent.objects.get(action="sms.schedule_cancel")
    assert event.object_id == str(batch.pk) and event.data["recipients"] == 2
    assert release(batch.scheduled_at + LATER, django_capture_on_commit_callbacks) == 0
    assert submits(sandbox) == []


def test_editing_a_held_batch_changes_its_text_cost_and_time_and_it_goes_out_at_the_new_time(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    old_time = batch.scheduled_at
    new_time = old_time + timedelta(hours=2)
    long_text = "Merhaba " * 30  # 240 GSM characters: 2 parts
    scheduled.sms_scheduled_edit(
        batch=batch, actor=alice, text=long_text, scheduled_at=new_time, part_price=None, now=old_time - LATER
    )
    batch.refresh_from_db()
    assert (batch.state, batch.text, batch.parts, batch.scheduled_at) == ("scheduled", long_text, 2, new_time)
    event = AuditEvent.objects.get(action="sms.schedule_edit")
    assert event.data["text_changed"] is True and event.data["scheduled_before"] == old_time.isoformat()
    assert release(old_time - timedelta(minutes=4), django_capture_on_commit_callbacks) == 0  # the old time
    assert submits(sandbox) == []
    assert release(new_time - timedelta(minutes=4), django_capture_on_commit_callbacks) == 1
    [request] = submits(sandbox)
    assert long_text.strip() in json.loads(request.body)["text"]


def test_moving_a_held_batch_within_the_threshold_sends_it_now(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled.sms_scheduled_edit(
            batch=batch, actor=alice, text=batch.text, scheduled_at=timezone.now() + timedelta(minutes=2)
        )
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SUBMITTED
    assert len(submits(sandbox)) == 1


def test_edit_and_cancel_are_refused_once_the_worker_has_claimed_the_batch(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        scheduled.sms_scheduled_release(now=batch.scheduled_at)
    with pytest.raises(SmsError, match="already been handed to the provider"):
        scheduled.sms_scheduled_edit(batch=batch, actor=alice, text="Başka", scheduled_at=batch.scheduled_at + LATER)
    with pytest.raises(SmsError, match="already been handed to the provider"):
        scheduled.sms_scheduled_cancel(batch=batch, actor=alice)
    batch.refresh_from_db()
    assert (batch.state, batch.text) == (SmsBatch.State.SENDING, "Merhaba")
    assert not AuditEvent.objects.filter(action__startswith="sms.schedule_").exists()


def test_a_personalised_text_cannot_be_changed_but_its_time_can(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks, text="Merhaba {name}")
    assert batch.personalised
    with pytest.raises(SmsError, match="personalised"):
        scheduled.sms_scheduled_edit(batch=batch, actor=alice, text="Selam", scheduled_at=batch.scheduled_at)
    later = batch.scheduled_at + LATER
    scheduled.sms_scheduled_edit(batch=batch, actor=alice, text=batch.text, scheduled_at=later)
    batch.refresh_from_db()
    assert batch.scheduled_at == later and batch.text == "Merhaba {name}"


# --- pages ---------------------------------------------------------------------------------


def local_input(when, team) -> str:
    return timezone.localtime(when, team.tzinfo).strftime("%Y-%m-%dT%H:%M")


def test_compose_with_a_later_time_holds_the_batch_and_says_it_can_be_changed(
    sms_account, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    when = timezone.now() + LATER
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("sms-new"),
            {
                "account": sms_account.pk,
                "sender": "DEMO",
                "recipients": "05321111111",
                "text": "Merhaba",
                "scheduled_at": local_input(when, sms_account.team),
            },
            follow=True,
        )
    batch = SmsBatch.objects.get()
    assert batch.state == SmsBatch.State.SCHEDULED and submits(sandbox) == []
    page = response.content.decode()
    assert "until then you can change or cancel it" in page
    assert "data-countdown=" in page and reverse("sms-schedule-edit", args=[batch.pk]) in page
    listing = alice_client.get(reverse("sms-list"), {"state": "scheduled"}).content.decode()
    assert "text-bg-dark" in listing and "data-scheduled-for" in listing and f">{batch.pk}<" in listing
    assert f">{batch.pk}<" not in alice_client.get(reverse("sms-list"), {"state": "sending"}).content.decode()


def test_a_new_text_is_reviewed_with_its_cost_before_it_is_saved(
    sms_account, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    url = reverse("sms-schedule-edit", args=[batch.pk])
    assert alice_client.get(url).status_code == 200
    form = {"text": "Merhaba " * 30, "scheduled_at": local_input(batch.scheduled_at, batch.team), "step": "check"}
    review = alice_client.post(url, form)
    assert review.status_code == 200 and 'data-review="parts"' in review.content.decode()
    batch.refresh_from_db()
    assert batch.text == "Merhaba"  # nothing saved by the review
    key = review.context["review_key"]
    tampered = alice_client.post(url, {**form, "text": "Başka", "step": "save", "review_key": key})
    assert tampered.status_code == 200  # another text than the one reviewed: reviewed again, not saved
    batch.refresh_from_db()
    assert batch.text == "Merhaba"
    saved = alice_client.post(url, {**form, "step": "save", "review_key": key})
    assert saved.status_code == 302
    batch.refresh_from_db()
    assert batch.parts == 2 and batch.text == ("Merhaba " * 30).strip()


def test_a_time_only_change_saves_at_once_and_a_past_time_is_refused_keeping_what_was_typed(
    sms_account, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    url = reverse("sms-schedule-edit", args=[batch.pk])
    past = local_input(timezone.now() - timedelta(days=1), batch.team)
    refused = alice_client.post(url, {"text": "Merhaba", "scheduled_at": past})
    assert refused.status_code == 400 and past in refused.content.decode()
    later = batch.scheduled_at + timedelta(days=1)
    moved = alice_client.post(url, {"text": "Merhaba", "scheduled_at": local_input(later, batch.team)})
    assert moved.status_code == 302
    batch.refresh_from_db()
    assert local_input(batch.scheduled_at, batch.team) == local_input(later, batch.team)


def test_pages_refuse_a_batch_already_claimed_with_a_clear_message(
    sms_account, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        scheduled.sms_scheduled_release(now=batch.scheduled_at)
    edit = alice_client.get(reverse("sms-schedule-edit", args=[batch.pk]), follow=True)
    assert "can no longer be changed or cancelled" in edit.content.decode()
    cancel = alice_client.post(reverse("sms-action", args=[batch.pk]), {"action": "cancel_scheduled"}, follow=True)
    assert "can no longer be changed or cancelled" in cancel.content.decode()
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.SENDING


def test_cancel_page_action_and_who_may_use_it(
    sms_account, alice, bob, team_b, sandbox, django_capture_on_commit_callbacks
) -> None:
    batch = held_batch(sms_account, alice, django_capture_on_commit_callbacks)
    edit, action = reverse("sms-schedule-edit", args=[batch.pk]), reverse("sms-action", args=[batch.pk])
    outsider = MembershipFactory(team=team_b, role=Role.OWNER).user
    assert client_for(outsider).get(edit).status_code == 404
    assert client_for(outsider).post(action, {"action": "cancel_scheduled"}).status_code == 404
    assert client_for(bob).get(edit).status_code == 403  # a viewer
    assert client_for(bob).post(action, {"action": "cancel_scheduled"}).status_code == 403
    operator = MembershipFactory(team=sms_account.team, role=Role.OPERATOR).user
    assert client_for(operator).post(action, {"action": "cancel_scheduled"}).status_code == 302
    batch.refresh_from_db()
    assert batch.state == SmsBatch.State.CANCELLED and submits(sandbox) == []
