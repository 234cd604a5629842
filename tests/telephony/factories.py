from __future__ import annotations

from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from telephony.export_models import CallExport, ExportState
from telephony.models import CallRecord, Direction, Disposition, Source
from tests.factories import ProviderAccountFactory


class CallRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallRecord

    account = factory.SubFactory(ProviderAccountFactory)
    team = factory.LazyAttribute(lambda o: o.account.team)
    source = Source.PBX
    provider_id = factory.Sequence(lambda n: f"{1700000000 + n}.{n}")
    start = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    duration = 65
    billed_seconds = 60
    caller = "+905321234567"
    callee = "101"
    direction = Direction.INCOMING
    disposition = Disposition.ANSWERED
    raw = factory.LazyFunction(dict)


def finished_export(team, *, rows: int = 1, file_format: str = "csv") -> CallExport:
    """A background calls export of ``team`` that is done, its file in storage."""
    now = timezone.now()
    name = default_storage.save(f"exports/{team.pk}/x/calls.{file_format}", ContentFile(b"\xef\xbb\xbfId\r\n1\r\n"))
    return CallExport.objects.create(
        team=team, file_format=file_format, language="en", state=ExportState.DONE, rows_total=rows, rows_done=rows,
        file=name, filename="calls", finished_at=now, expires_at=now + timedelta(days=7),
    )  # fmt: skip


TEAM_OBJECT_FACTORIES = {
    # The recording URL of this call answers 410 ("the provider no longer has it") without a provider.
    CallRecord: lambda team: CallRecordFactory(
        account=ProviderAccountFactory(team=team),
        recording_name="in-1.wav",
        has_recording=True,
        recording_missing=True,
    ),
    CallExport: finished_export,
}
