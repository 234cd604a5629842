from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Membership, ProviderAccount, Team, User
from fax.models import Direction, Fax
from fax.services import inbox
from fax_to_email.models import RoutingRule
from sandbox.telphin import DEMO_EXTENSION_ID


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://portal.example.com"


def rule_for(team: Team, number: str = "", *, members: list[User] = (), **fields: Any) -> RoutingRule:
    rule = RoutingRule.objects.create(team=team, our_number=number, language=fields.pop("language", "en"), **fields)
    rule.members.set(Membership.objects.filter(team=team, user__in=members))
    return rule


@pytest.fixture
def telphin_inbox(sandbox) -> list[dict[str, Any]]:
    """The Telphin sandbox's received faxes of the demo extension (a TIFF of 2 pages and a PDF)."""
    return sandbox.by_name["telphin"].received[DEMO_EXTENSION_ID]


@pytest.fixture
def poll(django_capture_on_commit_callbacks) -> Callable[[ProviderAccount], list[Fax]]:
    """The inbox poll, its commit callbacks (the queued mails) run as a worker would run them."""

    def run(account: ProviderAccount) -> list[Fax]:
        with django_capture_on_commit_callbacks(execute=True):
            inbox.fax_fetch_incoming(account=account)
        return list(Fax.objects.filter(account=account, direction=Direction.INCOMING).order_by("created_at"))

    return run
