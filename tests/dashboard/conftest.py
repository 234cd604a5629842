from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Provider reads are cached per account id, and ids come back after a test's rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _quick_timeouts(settings) -> None:
    settings.PROVIDER_QUICK_TIMEOUT = (0.5, 0.5)
