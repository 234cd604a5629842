from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _quick_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Provider reads retry without sleeping."""
    from accounts import balance

    real = balance.client_for
    monkeypatch.setattr(balance, "client_for", lambda account, *a, **kw: real(account, *a, sleep=lambda s: None, **kw))
