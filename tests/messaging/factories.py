from __future__ import annotations

import factory

from messaging.models import Contact, ContactGroup, ContactImport, OptOut, SmsBatch, SmsChunk, SmsRecipient, SmsTemplate
from tests.factories import ProviderAccountFactory, TeamFactory


class SmsBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsBatch

    team = factory.SubFactory(TeamFactory)
    account = factory.LazyAttribute(lambda o: ProviderAccountFactory(team=o.team, kind="pasifik"))
    sender = "DEMO"
    text = "Merhaba"
    alphabet = "Default"
    recipient_count = 1
    state = SmsBatch.State.SUBMITTED


class SmsChunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsChunk

    batch = factory.SubFactory(SmsBatchFactory)
    index = factory.Sequence(lambda n: n)
    size = 1
    state = SmsChunk.State.SUBMITTED


class SmsRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsRecipient

    chunk = factory.SubFactory(SmsChunkFactory)
    batch = factory.LazyAttribute(lambda o: o.chunk.batch)
    phone = factory.Sequence(lambda n: f"+90532{1000000 + n}")


class ContactGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactGroup

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Kişi {n}")
    phone = factory.Sequence(lambda n: f"+90533{1000000 + n}")


class OptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptOut

    team = factory.SubFactory(TeamFactory)
    phone = factory.Sequence(lambda n: f"+90534{1000000 + n}")


class SmsTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsTemplate

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    text = "Merhaba {name}"


class ContactImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactImport

    team = factory.SubFactory(TeamFactory)
    file_name = "rehber.csv"
    state = ContactImport.State.DONE


TEAM_OBJECT_FACTORIES = {
    ContactImport: lambda team: ContactImportFactory(team=team),
    SmsBatch: lambda team: SmsBatchFactory(team=team),
    Contact: lambda team: ContactFactory(team=team),
    ContactGroup: lambda team: ContactGroupFactory(team=team),
    OptOut: lambda team: OptOutFactory(team=team),
    SmsTemplate: lambda team: SmsTemplateFactory(team=team),
}
