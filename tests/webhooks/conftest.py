from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from accounts.models import Team
from webhooks.models import Delivery, Endpoint, EventType

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture(scope="session")
def documented_verify() -> Callable[[str, str, bytes], bool]:
    """The ``verify`` function of docs/api.md ("Verifying a signature"), as a receiver would paste it."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Verifying a signature", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "docs/api.md lost its verification snippet"
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)
    return namespace["verify"]  # type: ignore[return-value]


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
