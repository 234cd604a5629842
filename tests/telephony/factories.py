from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

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


TEAM_OBJECT_FACTORIES = {
    # The recording URL of this call answers 410 ("the provider no longer has it") without a provider.
    CallRecord: lambda team: CallRecordFactory(
        account=ProviderAccountFactory(team=team),
        recording_name="in-1.wav",
        has_recording=True,
        recording_missing=True,
    ),
}
