"""A sandbox over real HTTP for the contract tests, fresh state for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telcoportal.sandbox.app import PROVIDERS, build_sandbox
from telcoportal.sandbox.core import RunningSandbox, Sandbox


def _available_providers() -> list[str]:
    import importlib

    names = []
    for name, target in PROVIDERS.items():
        try:
            importlib.import_module(target.partition(":")[0])
        except ModuleNotFoundError:
            continue
        names.append(name)
    return names


@pytest.fixture(scope="session")
def running_sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(build_sandbox(_available_providers())) as running:
        yield running


@pytest.fixture
def sandbox(running_sandbox: RunningSandbox) -> Iterator[Sandbox]:
    running_sandbox.sandbox.reset()
    yield running_sandbox.sandbox
    running_sandbox.sandbox.reset()


@pytest.fixture
def sandbox_url(running_sandbox: RunningSandbox, sandbox: Sandbox) -> str:
    return running_sandbox.url
