"""Retention: each team keeps each kind of data N days or forever; a daily run deletes what expired.

- **Recordings**: the stored file goes and the call says it has none (so the player never fetches it again
  from the provider); the call record stays.
- **Call records**: the row goes, with its recording.
- **SMS texts and recipients**: the recipients (numbers, names, personalised texts, delivery states) go and
  the batch text is blanked; the batch stays with its counts (recipients, parts, estimated cost), marked
  ``content_deleted_at``, so monthly volumes still add up.
- **Fax documents**: the documents' files and rows go; the fax (numbers, status, pages) stays. A fax still
  being sent is left alone.

Items under legal hold are never touched, whatever the setting. Each kind is deleted
``RETENTION_BATCH_SIZE`` items per transaction, until none has expired; files are deleted after each commit
(``privacy/files.py``). A dry run counts the same querysets the run deletes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Team, User
from fax.models import UNFINISHED, Fax, FaxDocument
from messaging.models import SmsBatch, SmsRecipient
from telephony.models import CallRecord

from .files import files_delete_pending, files_forget
from .models import RetentionKind, RetentionPolicy

# The audit action of each kind's deletions (literal codes: the audit labels test reads them).
AUDIT_ACTIONS = {
    RetentionKind.RECORDINGS: "retention.recordings",
    RetentionKind.CALLS: "retention.calls",
    RetentionKind.SMS: "retention.sms",
    RetentionKind.FAX_DOCUMENTS: "retention.fax_documents",
}


@dataclass
class KindOutcome:
    """What a run deleted (or a dry run would delete) of one kind for one team."""

    team: Team
    kind: RetentionKind
    days: int
    count: int  # recordings, call records, SMS batches, fax documents
    oldest: datetime | None = None  # the oldest expired item (dry run)
    recipients: int = 0  # SMS recipients deleted with the batches
    files: int = 0
    batches: int = 0


def retention_days(team: Team) -> dict[RetentionKind, int | None]:
    """Every kind's setting of the team; None is forever (the default)."""
    saved = dict(team.retention_policies.values_list("kind", "days"))
    return {kind: saved.get(kind.value) for kind in RetentionKind}


def _days_data(days: dict[RetentionKind, int | None]) -> dict[str, Any]:
    return {f"{kind.value}_days": value for kind, value in days.items()}


def retention_update(*, team: Team, actor: User, days: dict[RetentionKind, int | None], request: Any = None) -> None:
    with transaction.atomic():
        for kind, value in days.items():
            RetentionPolicy.objects.update_or_create(
                team=team, kind=kind, defaults={"days": value, "updated_by": actor.email}
            )
        audit_record(
            team=team,
            actor=actor,
            action="retention.update",
            request=request,
            **_days_data(days),
        )


def _time_field(kind: RetentionKind) -> str:
    return {RetentionKind.SMS: "created_at", RetentionKind.FAX_DOCUMENTS: "created_at"}.get(kind, "start")


def expired(team: Team, kind: RetentionKind, cutoff: datetime) -> QuerySet[Any]:
    """The team's items of ``kind`` older than ``cutoff`` that retention may delete (never one under hold)."""
    if kind == RetentionKind.RECORDINGS:
        return CallRecord.objects.filter(team=team, start__lt=cutoff, legal_hold=False, has_recording=True)
    if kind == RetentionKind.CALLS:
        return CallRecord.objects.filter(team=team, start__lt=cutoff, legal_hold=False)
    if kind == RetentionKind.SMS:
        return SmsBatch.objects.filter(
            team=team, created_at__lt=cutoff, legal_hold=False, content_deleted_at__isnull=True
        ).exclude(state__in=(SmsBatch.State.SENDING, SmsBatch.State.PAUSED))
    return (
        Fax.objects.filter(team=team, created_at__lt=cutoff, legal_hold=False)
        .exclude(status__in=UNFINISHED)
        .filter(Exists(FaxDocument.objects.filter(fax=OuterRef("pk"))))
    )


def _count(kind: RetentionKind, items: QuerySet[Any]) -> tuple[int, int]:
    """(items as a run counts them, SMS recipients)."""
    if kind == RetentionKind.FAX_DOCUMENTS:
        return FaxDocument.objects.filter(fax__in=items.values("pk")).count(), 0
    if kind == RetentionKind.SMS:
        return items.count(), SmsRecipient.objects.filter(batch__in=items.values("pk")).count()
    return items.count(), 0


@transaction.atomic
def purge_batch(*, team: Team, kind: RetentionKind, cutoff: datetime, limit: int) -> tuple[int, int, int]:
    """Deletes at most ``limit`` expired items in one transaction: (items, SMS recipients, files to delete)."""
    locked = expired(team, kind, cutoff).order_by(_time_field(kind), "pk").select_for_update()
    ids = list(locked.values_list("pk", flat=True)[:limit])
    if not ids:
        return 0, 0, 0
    recipients = 0
    if kind in (RetentionKind.RECORDINGS, RetentionKind.CALLS):
        calls = CallRecord.objects.filter(pk__in=ids)
        names = list(calls.exclude(recording="").values_list("recording", flat=True))
        if kind == RetentionKind.RECORDINGS:
            count = calls.update(
                has_recording=False, recording="", recording_name="", recording_missing=False, recording_peaks=None
            )
        else:
            count = len(ids)
            calls.delete()
    elif kind == RetentionKind.SMS:
        names = []
        recipients, _ = SmsRecipient.objects.filter(batch_id__in=ids).delete()
        count = SmsBatch.objects.filter(pk__in=ids).update(text="", content_deleted_at=timezone.now())
    else:
        documents = FaxDocument.objects.filter(fax_id__in=ids)
        names = list(documents.values_list("file", flat=True))
        count, _ = documents.delete()
    return count, recipients, files_forget(names)


def _policies(team: Team | None) -> QuerySet[RetentionPolicy]:
    policies = RetentionPolicy.objects.filter(days__isnull=False).select_related("team")
    if team is not None:
        policies = policies.filter(team=team)
    return policies.order_by("team_id")


def _ordered(policies: QuerySet[RetentionPolicy]) -> list[RetentionPolicy]:
    order = {kind.value: n for n, kind in enumerate(RetentionKind)}
    return sorted(policies, key=lambda p: (p.team_id, order[p.kind]))


def retention_preview(*, team: Team | None = None, now: datetime | None = None) -> list[KindOutcome]:
    """The dry run: what the next run would delete, per team and kind, with the oldest item."""
    now = now or timezone.now()
    outcomes = []
    for policy in _ordered(_policies(team)):
        kind = RetentionKind(policy.kind)
        assert policy.days is not None
        items = expired(policy.team, kind, now - timedelta(days=policy.days))
        count, recipients = _count(kind, items)
        oldest = items.aggregate(oldest=Min(_time_field(kind)))["oldest"] if count else None
        outcomes.append(
            KindOutcome(
                team=policy.team, kind=kind, days=policy.days, count=count, oldest=oldest, recipients=recipients
            )
        )
    return outcomes


def retention_run(*, team: Team | None = None, now: datetime | None = None) -> list[KindOutcome]:
    """Deletes every expired item of every team (or of ``team``), one audit event per team and kind that lost some."""
    now = now or timezone.now()
    limit = max(1, settings.RETENTION_BATCH_SIZE)
    files_delete_pending()  # an earlier run's, if it stopped between a commit and its files
    outcomes = []
    for policy in _ordered(_policies(team)):
        kind = RetentionKind(policy.kind)
        assert policy.days is not None
        outcome = KindOutcome(team=policy.team, kind=kind, days=policy.days, count=0)
        cutoff = now - timedelta(days=policy.days)
        while True:
            count, recipients, files = purge_batch(team=policy.team, kind=kind, cutoff=cutoff, limit=limit)
            if not count:
                break
            outcome.batches += 1
            outcome.count += count
            outcome.recipients += recipients
            outcome.files += files
            files_delete_pending()
            if count < limit:
                break
        if outcome.count:
            data: dict[str, Any] = {"count": outcome.count, "kept_days": policy.days, "files": outcome.files}
            if kind == RetentionKind.SMS:
                data["sms_recipients"] = outcome.recipients
            audit_record(team=policy.team, actor=None, action=AUDIT_ACTIONS[kind], **data)
        outcomes.append(outcome)
    return outcomes
