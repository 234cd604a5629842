from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import Team
from webhooks.models import Delivery, Endpoint, EventType

from . import documented


@pytest.fixture(scope="session")
def documented_verify() -> Callable[[str, str, bytes], bool]:
    return documented.documented_verify()


@pytest.fixture
def endpoint_to(team_a: Team) -> Callable[..., Endpoint]:
    def make(url: str, events: list[str] | None = None, team: Team | None = None) -> Endpoint:
        return Endpoint.objects.create(
            team=team or team_a,
            url=url,
            events=events or list(EventType.values),
            secret={"secret": "whsec_" + "s3cr3t" * 6},
        )

    return make


def only_delivery(endpoint: Endpoint) -> Delivery:
    (delivery,) = endpoint.deliveries.all()
    return delivery
