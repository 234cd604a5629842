"""Notification factories; ``TEAM_OBJECT_FACTORIES`` joins the URL × role × team access matrix."""

from __future__ import annotations

import factory

from notifications.models import Kind, Notification
from tests.factories import TeamFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    team = factory.SubFactory(TeamFactory)
    kind = Kind.RECEIVED_FAX
    message = factory.Sequence(lambda n: f"New fax number {n}")
    url = "/fax/"


TEAM_OBJECT_FACTORIES = {Notification: lambda team: NotificationFactory(team=team)}
