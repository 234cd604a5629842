from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _quick_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Provider reads retry without sleeping."""
    from notifications import services

    real = services.client_for
    monkeypatch.setattr(
        services, "client_for", lambda account, *spec, **kw: real(account, *spec, sleep=lambda s: None, **kw)
    )
