"""Builds the sandbox with every provider emulator mounted."""

from __future__ import annotations

from .core import Clock, ProviderSandbox, Sandbox
from .pasifik import PasifikSandbox
from .telphin import TelphinSandbox
from .telsam import TelsamSandbox
from .verimor import VerimorSandbox

# Each emulates one provider document; its ``name`` is the provider kind (and its path on the sandbox).
EMULATORS: tuple[type[ProviderSandbox], ...] = (PasifikSandbox, TelsamSandbox, VerimorSandbox, TelphinSandbox)
PROVIDERS: dict[str, type[ProviderSandbox]] = {emulator.name: emulator for emulator in EMULATORS}


def provider_class(name: str) -> type[ProviderSandbox]:
    return PROVIDERS[name]


def build_sandbox(
    names: list[str] | None = None,
    *,
    clock: Clock | None = None,
    fault_rate: float = 0.0,
    seed: int = 1,
) -> Sandbox:
    clock = clock or Clock()
    providers = [provider_class(name)(clock) for name in (names or list(PROVIDERS))]
    return Sandbox(providers=providers, clock=clock, fault_rate=fault_rate, seed=seed)
