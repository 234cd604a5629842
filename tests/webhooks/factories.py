"""Webhook factories; ``TEAM_OBJECT_FACTORIES`` joins the URL × role × team access matrix."""

from __future__ import annotations

import factory

from tests.factories import TeamFactory
from webhooks.models import Delivery, Endpoint, Event, EventType


class EndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endpoint

    team = factory.SubFactory(TeamFactory)
    url = "https://hooks.example.com/telcoportal"
    events = factory.LazyFunction(lambda: list(EventType.values))
    secret = factory.LazyFunction(lambda: {"secret": "whsec_test"})


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    team = factory.SubFactory(TeamFactory)
    type = EventType.SMS_DELIVERED
    data = factory.LazyFunction(lambda: {"batch": 1})


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    team = factory.SubFactory(TeamFactory)
    endpoint = factory.SubFactory(EndpointFactory, team=factory.SelfAttribute("..team"))
    event = factory.SubFactory(EventFactory, team=factory.SelfAttribute("..team"))
    state = Delivery.State.FAILED


TEAM_OBJECT_FACTORIES = {
    Endpoint: lambda team: EndpointFactory(team=team),
    Delivery: lambda team: DeliveryFactory(team=team),
}
