"""The gateway for a provider account: ``gateway_for(account)``; ``CAPABILITIES[kind]`` without one.

Each gateway names the provider spec it serves (``spec = PASIFIK``); this is the one
place that lists the gateways. A provider whose spec can fax needs its gateway here
(a test checks that every such spec has one).
"""

from __future__ import annotations

from typing import Any

from accounts.models import ProviderAccount

from .base import Capabilities, Document, Gateway, Incoming, Submitted, Tracked, Unsupported
from .pasifik import PasifikGateway
from .telphin import TelphinGateway
from .telsam import TelsamGateway
from .verimor import VerimorGateway


def by_kind(*gateways: type[Gateway[Any]]) -> dict[str, type[Gateway[Any]]]:
    return {gateway.spec.kind: gateway for gateway in gateways}


GATEWAYS = by_kind(PasifikGateway, TelsamGateway, VerimorGateway, TelphinGateway)
CAPABILITIES: dict[str, Capabilities] = {kind: gateway.capabilities for kind, gateway in GATEWAYS.items()}


def gateway_for(account: ProviderAccount, client: Any = None) -> Gateway[Any]:
    return GATEWAYS[account.kind](account, client)


__all__ = [
    "CAPABILITIES",
    "GATEWAYS",
    "Capabilities",
    "Document",
    "Gateway",
    "Incoming",
    "Submitted",
    "Tracked",
    "Unsupported",
    "gateway_for",
]
