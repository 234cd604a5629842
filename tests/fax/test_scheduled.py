"""A fax scheduled for later waits in the portal: released once by the worker when due, moved or cancelled until then.

Every time is relative to an explicit "now" handed to the services; nothing sleeps or reads the hour.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from fax.models import Fax, Status
from fax.services import FaxActionError, actions, drafts, scheduled, sending, watchdog
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.fax.helpers import draft_on

pytestmark = pytest.mark.django_db

OK_NUMBER = "902125550123"
LATER = timedelta(hours=3)


def submits(sandbox) -> list:
    return sandbox.requests_for("pasifik", "fax/submit")


def held_fax(account, actor, capture, *, when=None) -> Fax:
    draft = draft_on(account, recipients=[OK_NUMBER], user=actor)
    draft.scheduled_at = when or timezone.now() + LATER
    draft.save(update_fields=["scheduled_at"])
    with capture(execute=True):
        [fax] = drafts.draft_confirm(draft=draft, actor=actor)
    return Fax.objects.get(pk=fax.pk)


def release(now, capture) -> int:
    with capture(execute=True):
        return scheduled.fax_scheduled_release(now=now)


@pytest.fixture
def pasifik(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik")


def test_a_fax_scheduled_later_than_the_threshold_is_held_and_never_claimed(
    pasifik, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    assert fax.status == Status.SCHEDULED
    assert sending.fax_send(fax_id=fax.pk) == "not-queued"  # a stray send task claims nothing
    assert watchdog.stale_queued() == []
    assert submits(sandbox) == []
    assert fax.events.get().message_key == "held"


def test_a_held_fax_is_released_when_due_and_sent_once_with_the_providers_schedule(
    pasifik, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    assert release(fax.scheduled_at - timedelta(minutes=30), django_capture_on_commit_callbacks) == 0
    assert release(fax.scheduled_at - timedelta(minutes=4), django_capture_on_commit_callbacks) == 1
    assert release(fax.scheduled_at, django_capture_on_commit_callbacks) == 0  # a late beat: nothing left
    assert sending.fax_send(fax_id=fax.pk) == "not-queued"  # a duplicate send task
    [request] = submits(sandbox)
    assert "scheduled_delivery_time" in request.body.decode()
    fax.refresh_from_db()
    assert fax.status == Status.SENDING and fax.attempts == 1


def test_a_restart_between_the_release_and_the_send_is_resumed_by_the_watchdog_once(
    pasifik, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):  # the worker died before its queued send ran
        assert scheduled.fax_scheduled_release(now=fax.scheduled_at) == 1
    stalled = timezone.now() - watchdog._stall() * 2
    Fax.objects.filter(pk=fax.pk).update(status_changed_at=stalled)
    fax.events.update(at=stalled)
    resumed = watchdog.stale_queued()
    assert resumed == [fax.pk]
    with django_capture_on_commit_callbacks(execute=True):
        sending.queue_sends(resumed)
        sending.queue_sends(resumed)  # and twice over: the send's claim sends it once
    assert len(submits(sandbox)) == 1


def test_moving_a_held_fax_changes_when_it_goes_and_is_audited(
    pasifik, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    old, new = fax.scheduled_at, fax.scheduled_at + timedelta(days=1)
    scheduled.fax_scheduled_move(fax=fax, actor=alice, scheduled_at=new, now=old - LATER)
    fax.refresh_from_db()
    assert (fax.status, fax.scheduled_at) == (Status.SCHEDULED, new)
    event = AuditEvent.objects.get(action="fax.schedule_edit")
    assert event.data == {"scheduled_before": old.isoformat(), "scheduled": new.isoformat()}
    assert fax.events.filter(message_key="moved").exists()
    assert release(old, django_capture_on_commit_callbacks) == 0
    assert release(new - timedelta(minutes=1), django_capture_on_commit_callbacks) == 1
    assert len(submits(sandbox)) == 1


def test_moving_a_held_fax_within_the_threshold_sends_it_now(
    pasifik, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled.fax_scheduled_move(fax=fax, actor=alice, scheduled_at=timezone.now() + timedelta(minutes=2))
    assert len(submits(sandbox)) == 1


def test_cancelling_a_held_fax_sends_nothing_and_is_audited(
    pasifik, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    assert actions.can_cancel(fax)
    assert actions.fax_cancel(fax=fax, actor=alice) == Status.CANCELLED
    fax.refresh_from_db()
    assert fax.status == Status.CANCELLED
    assert AuditEvent.objects.filter(action="fax.schedule_cancel", object_id=str(fax.pk)).exists()
    assert release(fax.scheduled_at + LATER, django_capture_on_commit_callbacks) == 0
    assert submits(sandbox) == []


def test_moving_is_refused_once_the_worker_has_claimed_the_fax(
    pasifik, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    release(fax.scheduled_at, django_capture_on_commit_callbacks)
    with pytest.raises(FaxActionError, match="already been handed to the provider"):
        scheduled.fax_scheduled_move(fax=fax, actor=alice, scheduled_at=fax.scheduled_at + LATER)
    assert not AuditEvent.objects.filter(action="fax.schedule_edit").exists()


# --- pages ---------------------------------------------------------------------------------


def local_input(when, team) -> str:
    return timezone.localtime(when, team.tzinfo).strftime("%Y-%m-%dT%H:%M")


def test_the_fax_page_shows_the_time_a_countdown_and_the_list_marks_it(
    pasifik, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    page = alice_client.get(reverse("fax-detail", args=[fax.pk])).content.decode()
    assert "data-countdown=" in page and reverse("fax-schedule-edit", args=[fax.pk]) in page
    assert reverse("fax-cancel", args=[fax.pk]) in page and 'hx-trigger="every 3s"' not in page
    listing = alice_client.get(reverse("fax-list"), {"status": "scheduled"}).content.decode()
    assert "text-bg-warning" in listing and "data-scheduled-for" in listing


def test_the_time_is_moved_on_its_page_and_a_past_time_is_refused(
    pasifik, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    url = reverse("fax-schedule-edit", args=[fax.pk])
    assert alice_client.get(url).status_code == 200
    past = local_input(timezone.now() - timedelta(hours=1), fax.team)
    refused = alice_client.post(url, {"scheduled_at": past})
    assert refused.status_code == 400 and past in refused.content.decode()
    later = fax.scheduled_at + timedelta(days=2)
    assert alice_client.post(url, {"scheduled_at": local_input(later, fax.team)}).status_code == 302
    fax.refresh_from_db()
    assert local_input(fax.scheduled_at, fax.team) == local_input(later, fax.team)


def test_who_may_move_or_cancel_a_held_fax(
    pasifik, alice, bob, team_b, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    move, cancel = reverse("fax-schedule-edit", args=[fax.pk]), reverse("fax-cancel", args=[fax.pk])
    outsider = MembershipFactory(team=team_b, role=Role.OWNER).user
    assert client_for(outsider).get(move).status_code == 404
    assert client_for(outsider).post(cancel).status_code == 404
    assert client_for(bob).get(move).status_code == 403  # a viewer
    assert client_for(bob).post(cancel).status_code == 403
    operator = MembershipFactory(team=pasifik.team, role=Role.OPERATOR).user
    assert client_for(operator).post(cancel).status_code == 302
    fax.refresh_from_db()
    assert fax.status == Status.CANCELLED and submits(sandbox) == []


def test_the_page_refuses_to_move_a_fax_already_released(
    pasifik, alice, alice_client, sandbox, django_capture_on_commit_callbacks
) -> None:
    fax = held_fax(pasifik, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        scheduled.fax_scheduled_release(now=fax.scheduled_at)
    response = alice_client.get(reverse("fax-schedule-edit", args=[fax.pk]), follow=True)
    assert "its time can no longer be changed" in response.content.decode()
