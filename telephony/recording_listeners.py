"""Who listened to a call's recording: read from the audit events every play and download leaves
(services.recording_accessed), so the list cannot disagree with the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import AuditEvent

from .models import CallRecord

PLAY = "calls.recording_play"
DOWNLOAD = "calls.recording_download"


def listeners_of(call: CallRecord) -> QuerySet[AuditEvent]:
    """The plays and downloads of ``call``'s recording, newest first."""
    return (
        AuditEvent.objects.filter(
            team_id=call.team_id,
            object_type=CallRecord._meta.model_name,
            object_id=str(call.pk),
            action__in=(PLAY, DOWNLOAD),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
