"""Builds the sandbox with every provider emulator mounted."""

from __future__ import annotations

import importlib

from .core import Clock, ProviderSandbox, Sandbox

# name -> "module:Class"; each module emulates one provider document.
PROVIDERS = {
    "pasifik": "sandbox.pasifik:PasifikSandbox",
    "telsam": "sandbox.telsam:TelsamSandbox",
    "verimor": "sandbox.verimor:VerimorSandbox",
    "telphin": "sandbox.telphin:TelphinSandbox",
}


def provider_class(name: str) -> type[ProviderSandbox]:
    module_name, _, class_name = PROVIDERS[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)


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
