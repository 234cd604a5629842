"""Retention: what expired goes (rows and files), in bounded batches, audited; held items and other teams stay."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Q

from accounts.models import AuditEvent
from fax.models import Fax, FaxDocument
from messaging.models import SmsBatch, SmsRecipient
from privacy.files import files_delete_pending
from privacy.models import FileToDelete, RetentionKind, RetentionPolicy
from privacy.retention import purge_batch, retention_preview, retention_run
from privacy.tasks import retention_apply
from telephony.models import CallRecord
from tests.privacy.data import call, days_ago, fax, file_names, sms_batch, stored

pytestmark = pytest.mark.django_db


def keep(team, **days) -> None:
    for kind, value in days.items():
        RetentionPolicy.objects.update_or_create(team=team, kind=kind, defaults={"days": value})


def test_everything_is_kept_forever_by_default(team_a) -> None:
    old = call(team_a, age_days=4000)
    sms_batch(team_a, age_days=4000)
    assert retention_run() == []
    assert retention_preview() == []
    assert CallRecord.objects.filter(pk=old.pk).exists() and stored(old.recording.name)


def test_expired_call_records_go_with_their_recording_files_and_the_count_is_audited(team_a) -> None:
    keep(team_a, calls=30)
    old, older = call(team_a, age_days=31), call(team_a, age_days=400, recording=False)
    recent = call(team_a, age_days=29)
    old_file = old.recording.name

    [outcome] = retention_run()

    assert outcome.count == 2 and outcome.files == 1
    assert not CallRecord.objects.filter(pk__in=[old.pk, older.pk]).exists()
    assert not stored(old_file)
    assert CallRecord.objects.filter(pk=recent.pk).exists() and stored(recent.recording.name)
    event = AuditEvent.objects.get(action="retention.calls")
    assert event.team == team_a and event.actor is None
    assert event.data == {"count": 2, "kept_days": 30, "files": 1}
    assert not FileToDelete.objects.exists()


def test_expired_recordings_go_but_the_call_stays_and_never_fetches_it_again(team_a) -> None:
    keep(team_a, recordings=7)
    old, recent = call(team_a, age_days=8), call(team_a, age_days=6)
    name = old.recording.name

    [outcome] = retention_run()

    assert outcome.count == 1 and not stored(name)
    old.refresh_from_db()
    assert (old.has_recording, old.recording.name, old.recording_name, old.recording_peaks) == (False, "", "", None)
    assert stored(recent.recording.name)
    assert AuditEvent.objects.get(action="retention.recordings").data["count"] == 1


def test_expired_sms_lose_text_and_recipients_but_keep_the_batch_and_its_counts(team_a, alice_client) -> None:
    keep(team_a, sms=90)
    old = sms_batch(team_a, age_days=91, phones=("+905321112233", "+905321112244"))
    recent = sms_batch(team_a, age_days=10)
    sending = sms_batch(team_a, age_days=100, state=SmsBatch.State.SENDING)

    [outcome] = retention_run()

    assert (outcome.count, outcome.recipients) == (1, 2)
    old.refresh_from_db()
    assert old.text == "" and old.content_deleted_at is not None
    assert old.recipient_count == 2 and not SmsRecipient.objects.filter(batch=old).exists()
    assert recent.recipients.count() == 1 and SmsBatch.objects.get(pk=recent.pk).text
    assert sending.recipients.count() == 1  # still being sent: left alone
    assert AuditEvent.objects.get(action="retention.sms").data["sms_recipients"] == 2
    page = alice_client.get(f"/sms/{old.pk}/").content.decode()
    assert 'id="content-deleted"' in page
    assert retention_run()[0].count == 0  # a batch is emptied once


def test_expired_fax_documents_go_with_their_files_and_the_fax_stays(team_a) -> None:
    keep(team_a, fax_documents=30)
    old, recent = fax(team_a, age_days=31), fax(team_a, age_days=5)
    unfinished = fax(team_a, age_days=40, status="queued")
    names = file_names(old)

    [outcome] = retention_run()

    assert outcome.count == 1 and outcome.files == 1
    assert Fax.objects.filter(pk=old.pk).exists() and not old.documents.exists()
    assert not any(stored(n) for n in names)
    assert all(stored(n) for n in file_names(recent) + file_names(unfinished))


def test_a_file_another_fax_still_uses_is_kept(team_a) -> None:
    keep(team_a, fax_documents=30)
    old, recent = fax(team_a, age_days=31), fax(team_a, age_days=5)
    shared = old.documents.get().file.name
    # One upload serves every recipient of a draft: the recent fax's document is the same stored file.
    FaxDocument.objects.filter(fax=recent).update(file=shared)

    retention_run()

    assert not old.documents.exists() and stored(shared)


def test_items_under_legal_hold_are_kept_even_when_the_period_is_shorter(team_a) -> None:
    keep(team_a, calls=1, recordings=1, sms=1, fax_documents=1)
    held_call = call(team_a, age_days=500, legal_hold=True, legal_hold_reason="Dava 2026/12")
    held_batch = sms_batch(team_a, age_days=500, legal_hold=True)
    held_fax = fax(team_a, age_days=500, legal_hold=True)
    loose = call(team_a, age_days=500)

    outcomes = {o.kind: o.count for o in retention_run()}

    assert outcomes[RetentionKind.CALLS] == 1 and not CallRecord.objects.filter(pk=loose.pk).exists()
    assert stored(held_call.recording.name) and CallRecord.objects.get(pk=held_call.pk).has_recording
    assert SmsBatch.objects.get(pk=held_batch.pk).text and held_batch.recipients.exists()
    assert all(stored(n) for n in file_names(held_fax))


def test_one_teams_retention_never_touches_another_teams_data(team_a, team_b) -> None:
    keep(team_a, calls=1, recordings=1, sms=1, fax_documents=1)
    theirs = [call(team_b, age_days=500), sms_batch(team_b, age_days=500), fax(team_b, age_days=500)]
    call(team_a, age_days=500)

    retention_run()

    their_call, their_batch, their_fax = theirs
    assert stored(CallRecord.objects.get(pk=their_call.pk).recording.name)
    assert SmsBatch.objects.get(pk=their_batch.pk).recipients.count() == 1
    assert all(stored(n) for n in file_names(their_fax))
    assert not AuditEvent.objects.filter(team=team_b).exists()


def test_each_batch_deletes_at_most_the_batch_size(team_a, settings) -> None:
    keep(team_a, calls=30)
    for _ in range(5):
        call(team_a, age_days=60, recording=False)

    assert purge_batch(team=team_a, kind=RetentionKind.CALLS, cutoff=days_ago(30), limit=2) == (2, 0, 0)
    assert CallRecord.objects.filter(team=team_a).count() == 3

    settings.RETENTION_BATCH_SIZE = 2
    [outcome] = retention_run()
    assert (outcome.count, outcome.batches) == (3, 2)
    assert not CallRecord.objects.filter(team=team_a).exists()


def test_the_dry_run_counts_what_the_run_then_deletes(team_a, team_b, settings) -> None:
    settings.RETENTION_BATCH_SIZE = 2
    keep(team_a, recordings=10, calls=100, sms=30, fax_documents=30)
    keep(team_b, calls=5)
    for age in (5, 11, 50, 150, 200):
        call(team_a, age_days=age)
    for age in (20, 40, 60):
        sms_batch(team_a, age_days=age, phones=("+905321112233", "+905321112244"))
    for age in (20, 31, 45):
        fax(team_a, age_days=age)
    call(team_b, age_days=6)

    preview = retention_preview()
    out = StringIO()
    call_command("retention_run", "--dry-run", stdout=out)
    assert CallRecord.objects.count() == 6  # the dry run deleted nothing
    run = retention_run()

    counted = [(o.team, o.kind, o.count, o.recipients) for o in preview]
    assert counted == [(o.team, o.kind, o.count, o.recipients) for o in run]
    assert {(o.kind, o.count) for o in preview if o.team == team_a} == {
        (RetentionKind.RECORDINGS, 4), (RetentionKind.CALLS, 2), (RetentionKind.SMS, 2),
        (RetentionKind.FAX_DOCUMENTS, 2),
    }  # fmt: skip
    oldest_call = next(o for o in preview if o.team == team_a and o.kind == RetentionKind.CALLS).oldest
    assert oldest_call is not None and abs((oldest_call - days_ago(200)).total_seconds()) < 60
    assert "would delete 4" in out.getvalue()


def test_the_daily_task_is_scheduled_and_runs(team_a) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["privacy-apply-retention"]["task"] == "privacy.apply_retention"
    keep(team_a, calls=1)
    call(team_a, age_days=3, recording=False)
    assert retention_apply.delay().get() == "deleted 1"


def test_files_left_by_a_run_cut_short_are_deleted_by_the_next(team_a) -> None:
    kept = call(team_a, age_days=1)
    orphan = call(team_a, age_days=1)
    name = orphan.recording.name
    CallRecord.objects.filter(pk=orphan.pk).delete()  # the rows' transaction committed, then the worker died
    FileToDelete.objects.create(name=name)
    FileToDelete.objects.create(name=kept.recording.name)  # still in use: never deleted

    assert files_delete_pending() == 1
    assert not stored(name) and stored(kept.recording.name)
    assert not FileToDelete.objects.exists()


def test_the_command_runs_for_one_team(team_a, team_b) -> None:
    keep(team_a, calls=1)
    keep(team_b, calls=1)
    call(team_a, age_days=3, recording=False)
    theirs = call(team_b, age_days=3, recording=False)
    out = StringIO()
    call_command("retention_run", "--team", str(team_a.pk), stdout=out)
    assert "deleted 1" in out.getvalue()
    assert CallRecord.objects.filter(Q(pk=theirs.pk)).exists()
