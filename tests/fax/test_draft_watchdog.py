"""A preview whose render task was lost with its worker is rendered again by the watchdog, a few times at most;
then the preview says the document could not be prepared, instead of a spinner that never ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fax import tasks
from fax.models import FaxDraft
from fax.services import watchdog
from tests.fax.factories import draft_for

pytestmark = pytest.mark.django_db


def _lost(team, *, age: timedelta) -> FaxDraft:
    """A draft whose render never ran (its task went with a killed worker), made ``age`` ago."""
    draft = draft_for(team)
    FaxDraft.objects.filter(pk=draft.pk).update(rendered_at=None, rendition={}, created_at=timezone.now() - age)
    return FaxDraft.objects.get(pk=draft.pk)


def test_a_lost_preview_is_rendered_again(team_a) -> None:
    draft = _lost(team_a, age=watchdog.RENDER_STALL + timedelta(seconds=5))
    assert tasks.fax_draft_watchdog() == "requeued 1 previews"  # the render runs at once (eager in tests)
    draft.refresh_from_db()
    assert draft.rendered_at is not None and draft.rendition["pages"] == 2 and not draft.render_error_stored
    assert draft.render_requeues == 1


def test_a_preview_still_within_its_render_time_and_a_confirmed_draft_are_left_alone(team_a) -> None:
    _lost(team_a, age=watchdog.RENDER_STALL - timedelta(seconds=5))
    confirmed = _lost(team_a, age=timedelta(hours=1))
    FaxDraft.objects.filter(pk=confirmed.pk).update(confirmed_at=timezone.now())
    assert watchdog.drafts_render_stalled() == []


def test_a_render_lost_every_time_ends_in_an_error_the_preview_shows(team_a, alice_client) -> None:
    draft = _lost(team_a, age=timedelta(hours=1))
    now = timezone.now()
    for _ in range(watchdog.RENDER_REQUEUES):
        assert watchdog.drafts_render_stalled(now) == [draft.pk]  # queued again (and lost again: not run here)
        assert watchdog.drafts_render_stalled(now) == []  # once per stall
        now += watchdog.RENDER_STALL + timedelta(seconds=1)
    assert watchdog.drafts_render_stalled(now) == []  # given up
    draft.refresh_from_db()
    assert draft.rendered_at == now and draft.render_error_stored["key"].endswith("not_prepared")

    page = alice_client.get(reverse("fax-draft", args=[draft.pk])).content.decode()
    assert "The document could not be prepared for faxing." in page and "Preparing what will be transmitted" not in page


def test_the_draft_watchdog_is_on_beat_well_within_the_stall() -> None:
    on_beat = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.fax_draft_watchdog.name]
    assert len(on_beat) == 1 and on_beat[0]["schedule"] < watchdog.RENDER_STALL.total_seconds() / 2
