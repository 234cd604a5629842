"""Live-call and PBX answers as plain data: what a snapshot stores and the pages show.

SIP extensions keep only harmless settings: their ``secret`` is dropped by the
client already, and nothing here would carry it even if it came through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from providers.pasifik.models import ActiveCalls, LiveCall, SipExtension, SipPeer

from .numbers import display_number, normalize_number

# The document's PBX state table (code, central, state) for people.
PBX_STATE_TEXT = {
    200: _("The PBX is online and answers the API."),
    412: _("The PBX is online, but API access is not enabled for it. Ask the provider to enable it."),
    410: _("The PBX is offline. Calls through it will fail until it is back."),
    423: _("The PBX service is not active on this account."),
    404: _("No PBX is registered to this account."),
}
# Telephone live calls' ``cc_state`` (PortaSwitch states: routing, then ringing, then talking).
CALL_STATE_TEXT = {
    "ARInProgress": _("Setting up"),
    "ARComplete": _("Ringing"),
    "Connected": _("Connected"),
    "Disconnecting": _("Disconnecting"),
}
# PBX channel states: the document lists Up, Ring, Ringing and Down; the others are Asterisk's.
CHANNEL_STATE_TEXT = {
    "Up": _("Connected"),
    "Ring": _("Dialling"),
    "Ringing": _("Ringing"),
    "Down": _("Not connected"),
    "Busy": _("Busy"),
    "Dialing": _("Dialling"),
    "Pre-ring": _("About to ring"),
    "Rsrvd": _("Reserved"),
    "OffHook": _("Off hook"),
}
# Only these extension settings are kept; anything else (a secret under another name included) is not.
EXTENSION_SETTINGS = ("type", "context", "host", "callerid", "transport", "port", "nat", "dtmfmode", "qualify")


def live_calls_data(calls: Iterable[LiveCall]) -> list[dict[str, Any]]:
    return [
        {
            "id": call.id,
            "i_account": call.i_account,
            "state": call.cc_state,
            "duration": call.duration,
            "caller": display_number(normalize_number(call.cli)),
            "callee": display_number(normalize_number(call.cld)),
            "callee_number": normalize_number(call.cld),  # E.164 when it parses: places the call's country
            "country": call.country,
            "description": call.description,
        }
        for call in calls
    ]


def active_calls_data(active: ActiveCalls) -> dict[str, Any]:
    return {
        "channels": [
            {
                "channel": channel.channel,
                "state": channel.state,
                "application": channel.application,
                "caller_id": display_number(normalize_number(channel.caller_id)),
                "extension": channel.extension,
                "duration": int(channel.duration.total_seconds()),
                "bridged_to": channel.bridged_to,
            }
            for channel in active.channels
        ],
        "active_channels": active.active_channels,
        "active_calls": active.active_calls,
        "calls_processed": active.calls_processed,
    }


def peer_level(peer: SipPeer) -> str:
    """ok / slow / unknown / unreachable: what the badge shows."""
    status = peer.status.upper()
    if peer.is_reachable:
        return "slow" if (peer.latency_ms or 0) >= 300 else "ok"
    if status.startswith("UNREACHABLE"):
        return "unreachable"
    return "unknown"


def peers_data(peers: Iterable[SipPeer]) -> list[dict[str, Any]]:
    return [
        {
            "name": peer.name,
            "status": peer.status,
            "level": peer_level(peer),
            "latency_ms": peer.latency_ms,
            "ip_address": peer.ip_address,
            "port": peer.port,
            "dynamic": peer.dynamic,
            "description": peer.description,
        }
        for peer in peers
    ]


def extensions_data(extensions: Iterable[SipExtension]) -> list[dict[str, Any]]:
    return [
        {
            "name": extension.name,
            "is_trunk": extension.is_trunk,
            "settings": {key: extension.settings[key] for key in EXTENSION_SETTINGS if key in extension.settings},
        }
        for extension in extensions
    ]
