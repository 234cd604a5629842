"""Items of every kind retention and erasure handle, with real files in the test storage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Team
from fax.models import Fax, FaxDocument
from messaging.models import SmsBatch
from telephony.models import CallRecord
from tests.factories import ProviderAccountFactory
from tests.fax.factories import FaxFactory
from tests.messaging.factories import SmsBatchFactory, SmsChunkFactory, SmsRecipientFactory
from tests.telephony.factories import CallRecordFactory


def days_ago(days: float) -> Any:
    return timezone.now() - timedelta(days=days)


def call(team: Team, *, age_days: float, recording: bool = True, **fields: Any) -> CallRecord:
    account = ProviderAccountFactory(team=team)
    record = CallRecordFactory(account=account, team=team, start=days_ago(age_days), **fields)
    if recording:
        record.has_recording = True
        record.recording_name = f"in-{record.pk}.wav"
        record.recording_peaks = [0.1, 0.8, 0.3]
        record.recording.save(f"call-{record.pk}.wav", ContentFile(b"RIFF....WAVEfmt "), save=True)
    return record


def sms_batch(team: Team, *, age_days: float, phones: tuple[str, ...] = ("+905321112233",), **fields: Any) -> SmsBatch:
    batch = SmsBatchFactory(team=team, text="Randevunuz yarın 10:00", recipient_count=len(phones), **fields)
    SmsBatch.objects.filter(pk=batch.pk).update(created_at=days_ago(age_days))  # auto_now_add on create
    chunk = SmsChunkFactory(batch=batch)
    for phone in phones:
        SmsRecipientFactory(chunk=chunk, batch=batch, phone=phone, name="Ayşe", text="Ayşe, randevunuz yarın")
    batch.refresh_from_db()
    return batch


def fax(team: Team, *, age_days: float, remote_number: str = "902125550199", **fields: Any) -> Fax:
    item = FaxFactory(team=team, created_at=days_ago(age_days), remote_number=remote_number, **fields)
    document = FaxDocument(
        fax=item, role=FaxDocument.Role.ORIGINAL, filename="contract.pdf", media_type="application/pdf"
    )
    document.file.save("contract.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return item


def stored(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def file_names(item: CallRecord | Fax) -> list[str]:
    if isinstance(item, CallRecord):
        return [item.recording.name] if item.recording.name else []
    return [d.file.name for d in item.documents.all()]
