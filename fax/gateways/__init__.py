"""The gateway for a provider account: ``gateway_for(account)``; ``CAPABILITIES[kind]`` without one."""

from __future__ import annotations

from typing import Any

from accounts.models import ProviderAccount

from .base import Capabilities, Document, Gateway, Incoming, Submitted, Tracked, Unsupported
from .pasifik import PasifikGateway
from .telphin import TelphinGateway
from .telsam import TelsamGateway
from .verimor import VerimorGateway

GATEWAYS: dict[str, type[Gateway]] = {
    "pasifik": PasifikGateway,
    "telsam": TelsamGateway,
    "verimor": VerimorGateway,
    "telphin": TelphinGateway,
}
CAPABILITIES: dict[str, Capabilities] = {kind: gateway.capabilities for kind, gateway in GATEWAYS.items()}


def gateway_for(account: ProviderAccount, client: Any = None) -> Gateway:
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
