"""Email-to-fax factories; ``TEAM_OBJECT_FACTORIES`` joins the URL × role × team access matrix."""

from __future__ import annotations

import uuid

import factory

from email_to_fax.models import InboundMail, MailState
from tests.factories import TeamFactory


class InboundMailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundMail

    team = factory.SubFactory(TeamFactory)
    message_id = factory.LazyFunction(lambda: f"<{uuid.uuid4().hex}@mail.example.com>")
    sender = "someone@example.com"
    subject = "Fax: +90 212 555 01 23"
    state = MailState.REFUSED
    reason_key = "no_document"


TEAM_OBJECT_FACTORIES = {
    InboundMail: lambda team: InboundMailFactory(team=team),
}
