from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import ProviderAccount, Team
from messaging.services import history_import, reports, send


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    """Reads retry without sleeping, and reports are believed at once (the sandbox lists a submit immediately)."""
    real = send.client_for
    for module in (send, reports, history_import):
        monkeypatch.setattr(
            module, "client_for", lambda account, *spec, **kw: real(account, *spec, sleep=lambda s: None, **kw)
        )
    settings.SMS_RECONCILE_GRACE_SECONDS = 0


@pytest.fixture
def sms_account(team_a: Team, sandbox_account: Callable[..., ProviderAccount]) -> ProviderAccount:
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO", "TELCOPORTAL"], "sms_chunk_size": 2}
    account.save()
    return account


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
