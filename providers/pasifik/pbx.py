"""PBX (virtual central): SIP peers and extensions, CDRs, recordings, active calls.

Every answer is an envelope ``{body, state, code, central}``; the transport
raises for error codes (see ``responses.PBX_STATES``) before these methods run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from ..files import Download
from ..records import OnSkip
from . import validation as v
from .base import PasifikEndpoints
from .models import ActiveCalls, ActiveChannel, PbxCdr, SipExtension, SipPeer
from .parsing import PROVIDER_ZONE, require_list

# Asterisk's "core show channels" summary lines that trail the channel list.
_SUMMARY = re.compile(r"^\s*(\d+)\s+(active channels?|active calls?|calls? processed)\s*$", re.IGNORECASE)


class PbxEndpoints(PasifikEndpoints):
    pbx_zone: tzinfo = PROVIDER_ZONE  # the PBX's clock, in which ``calldate`` is written

    # Reference: pasifik-telekom-api-v2.txt, "SIP Peers"
    def pbx_sip_peers(self) -> list[SipPeer]:
        """Registered SIP peers, with their reachability and latency ("OK (119 ms)")."""
        body = self._post_pbx("pbx/sippeers/")
        return self._read_list(SipPeer, body, what="SIP peers", id_keys=("ObjectName",))

    # Reference: pasifik-telekom-api-v2.txt, "SIP Extensions"
    def pbx_sip_extensions(self) -> list[SipExtension]:
        """SIP profiles of the PBX. Their ``secret`` (a SIP password) is dropped on reading."""
        body = self._post_pbx("pbx/sipextensions/")
        if isinstance(body, Mapping):
            profiles = [{"name": str(name), "settings": settings} for name, settings in body.items()]
        else:
            profiles = [
                {"name": _extension_name(item), "settings": item} for item in require_list(body, what="SIP extensions")
            ]
        return self._read_list(SipExtension, profiles, what="SIP extensions", id_keys=("name",))

    # Reference: pasifik-telekom-api-v2.txt, "CDR Report"
    def pbx_cdr(
        self,
        *,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        field_name: str | None = None,
        field_pattern: str | None = None,
        status: str | None = None,
        recordings: str | None = None,
        on_skip: OnSkip | None = None,
    ) -> list[PbxCdr]:
        """PBX CDRs. Filter times go out in UTC as the document asks; every filter is optional.

        A CDR that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        v.time_range(start_date, end_date)
        body = v.drop_none(
            {
                "start_date": v.cdr_filter_time(start_date, field="start_date") if start_date is not None else None,
                "end_date": v.cdr_filter_time(end_date, field="end_date") if end_date is not None else None,
                "field_name": _choice(field_name, "field_name", v.CDR_FIELD_NAMES),
                "field_pattern": v.text(field_pattern, field="field_pattern") if field_pattern is not None else None,
                "status": _choice(status, "status", v.CDR_STATUSES),
                "recordings": _choice(recordings, "recordings", v.CDR_RECORDINGS),
            }
        )
        data = self._post_pbx("pbx/cdr/", body)
        return self._read_list(
            PbxCdr, data, what="PBX CDRs", id_keys=("uniqueid",), on_skip=on_skip, context={"zone": self.pbx_zone}
        )

    # Reference: pasifik-telekom-api-v2.txt, "CDR Wave"
    def pbx_cdr_wav(self, *, wavname: str, calldate: date | datetime) -> Download:
        """Streams one call recording. ``wavname`` must be a ``PbxCdr.recordingfile``.

        The provider matches ``wavname`` like grep, so only exact file names
        from a CDR are accepted. ``calldate`` is the call's day on the PBX
        (``PbxCdr.call_day``), or the moment it began, whose day in the PBX's zone is sent.
        """
        if isinstance(calldate, datetime):
            calldate = v.aware(calldate, field="calldate").astimezone(self.pbx_zone).date()
        body = {"wavname": v.wav_name(wavname), "calldate": v.wav_date(calldate)}
        return self._download("pbx/cdr/wav/", body, fallback_name=wavname)

    # Reference: pasifik-telekom-api-v2.txt, "Active Call"
    def pbx_active_calls(self) -> ActiveCalls:
        """Channels up on the PBX, and Asterisk's summary counts when the answer has them."""
        items = require_list(self._post_pbx("pbx/activecall/"), what="active calls")
        counts: dict[str, int] = {}
        for line in (item for item in items if isinstance(item, str)):
            _read_summary(line, counts)
        records = [item for item in items if not isinstance(item, str)]
        channels = self._read_list(ActiveChannel, records, what="active calls", id_keys=("Channel",))
        return ActiveCalls(
            channels=tuple(channels),
            active_channels=counts.get("channel"),
            active_calls=counts.get("call"),
            calls_processed=counts.get("processed"),
        )


def _choice(value: str | None, field: str, allowed: tuple[str, ...]) -> str | None:
    return v.choice(value, field=field, allowed=allowed) if value is not None else None


def _extension_name(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("name") or item.get("username") or item.get("ObjectName") or "")
    return ""


def _read_summary(line: str, counts: dict[str, int]) -> None:
    match = _SUMMARY.match(line)
    if match is None:
        return
    label = match.group(2).lower()
    key = "processed" if "processed" in label else "channel" if "channel" in label else "call"
    counts[key] = int(match.group(1))
