from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import Membership, ProviderAccount, Team
from api.tokens import token_create
from tests.factories import MembershipFactory


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def token_for(db) -> Callable[..., str]:
    """``token_for(team, role, scope)``: a new member of ``team`` with ``role`` and their token's secret."""

    def make(team: Team, role: str = "owner", scope: str = "admin", *, membership: Membership | None = None) -> str:
        member = membership or MembershipFactory(team=team, role=role)
        return token_create(membership=member, name=f"test {scope}", scope=scope, days=30).raw

    return make


@pytest.fixture
def api() -> Client:
    return Client()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sms_account(team_a: Team, sandbox_account: Callable[..., ProviderAccount], monkeypatch) -> ProviderAccount:
    """Team A's Pasifik account on the sandbox, sending without sleeping between retries."""
    from messaging.services import send

    real = send.client_for
    monkeypatch.setattr(
        send, "client_for", lambda account, *spec, **kw: real(account, *spec, sleep=lambda s: None, **kw)
    )
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO", "TELCOPORTAL"]}
    account.save()
    return account
