"""PBX: pbx/sippeers/, pbx/sipextensions/, pbx/cdr/, pbx/cdr/wav/, pbx/activecall/.

Every answer is wrapped as ``{"body": ..., "state": ..., "code": ..., "central": ...}``
with HTTP 200; ``pbx_central`` on the emulator (default ``"onapi"``) picks the
row of the document's state table, so a test can take the PBX offline::

    sandbox.by_name["pasifik"].pbx_central = "oflin"

Peers 100 to 107 and one trunk; peer 106 drops to UNREACHABLE for the second
half of every 20 minutes of sandbox time. CDRs: a few hundred over the last
30 days, answered ones mostly with a recording that ``pbx/cdr/wav/`` serves as
a real WAV. Active calls come and go with the clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .. import media
from ..core import json_response
from ..poison import poisoned
from .common import (
    ISTANBUL,
    PBX_DATE,
    PBX_DATETIME,
    ApiError,
    PasifikBase,
    invalid,
    like,
    optional_datetime,
    parse_datetime,
    required_str,
    seeded,
)

PBX_STATES = {
    "onapi": (200, "PBX OK"),
    "onlin": (412, "PBX OK (No API)"),
    "oflin": (410, "PBX Offline"),
    "noact": (423, "PBX Not Active"),
    "noreg": (404, "PBX Not Register"),
}
DEMO_PBX_TRUNK = "908505320100"
DEMO_EXTENSIONS = tuple(str(n) for n in range(100, 108))
PBX_CDR_COUNT = 420
PBX_CDR_DAYS = 30
ACTIVE_SLOT_SECONDS = 120
CDR_FIELDS = ("src", "dst", "channel", "dstchannel", "accountcode")
CDR_STATUSES = ("ALL", "ANSWERED", "BUSY", "FAILED", "NO ANSWER")
CDR_RECORDINGS = ("all", "only", "without")
MAX_WAV_SECONDS = 30
PBX_ZONE = ISTANBUL  # the demo PBX's clock; the filters stay in UTC, as documented


DEMO_REGULAR_CALLERS = 60  # per prefix: some numbers call again and again, as customers do


def _external(rng: Any) -> str:
    # The same draws as before (the seeded sequence of every other field stays put), folded onto a few
    # hundred numbers so the demo's call statistics have callers who call often.
    prefix = rng.choice(("0532", "0542", "0555", "0212", "0216"))
    return prefix + f"{rng.randint(0, 9999999) % DEMO_REGULAR_CALLERS * 104729 % 10000000:07d}"


def _channel_suffix(rng: Any) -> str:
    return f"{rng.randint(0, 0xFFFFFFFF):08x}"


@lru_cache(maxsize=4)
def demo_pbx_cdrs(anchor: str, scale: int = 1) -> tuple[tuple[datetime, dict[str, Any]], ...]:
    """(moment, CDR) pairs, newest first, for the 30 days before ``anchor``; ``scale`` times ``PBX_CDR_COUNT``.

    The moment is the call's start (UTC, ``uniqueid``'s Unix time); ``calldate`` is the same moment on the PBX's clock.
    """
    end = datetime.fromisoformat(anchor).replace(tzinfo=UTC)
    rng = seeded("pasifik-pbx-cdr")
    moments = sorted(
        end - timedelta(seconds=rng.randint(60, PBX_CDR_DAYS * 86400)) for _ in range(PBX_CDR_COUNT * scale)
    )
    rows = []
    for sequence, moment in enumerate(moments, start=36000):
        kind = rng.choice(("queue", "queue", "inbound", "outbound", "outbound", "internal"))
        disposition = rng.choices(("ANSWERED", "NO ANSWER", "BUSY", "FAILED"), (60, 20, 10, 10))[0]
        extension = rng.choice(DEMO_EXTENSIONS)
        uniqueid = f"{int(moment.timestamp())}.{sequence}"
        # The PBX writes its wall clock: calldate (and the recording's stamp) in Istanbul time,
        # as the document's example is local time beside the Unix time of its uniqueid.
        local = moment.astimezone(PBX_ZONE)
        stamp = local.strftime("%Y%m%d-%H%M%S")
        wait = rng.randint(3, 25)
        billsec = rng.randint(5, 600) if disposition == "ANSWERED" else 0
        if kind in ("queue", "inbound"):
            src = _external(rng)
            dst = "0000" if kind == "queue" else extension
            did = DEMO_PBX_TRUNK
            channel = f"SIP/{DEMO_PBX_TRUNK}-{_channel_suffix(rng)}"
            dstchannel = "" if kind == "queue" else f"SIP/{extension}-{_channel_suffix(rng)}"
            dcontext = "ext-queues" if kind == "queue" else "from-did-direct"
            lastapp = "Queue" if kind == "queue" else "Dial"
            lastdata = "0000,t,,,,,,,," if kind == "queue" else f"SIP/{extension},,trM(auto-blkvm)"
            recording = (
                f"q-0000-{src}-{stamp}-{uniqueid}.wav" if kind == "queue" else f"in-{did}-{src}-{stamp}-{uniqueid}.wav"
            )
        elif kind == "outbound":
            src, dst, did = extension, _external(rng), ""
            channel = f"SIP/{extension}-{_channel_suffix(rng)}"
            dstchannel = f"SIP/{DEMO_PBX_TRUNK}-{_channel_suffix(rng)}"
            dcontext, lastapp, lastdata = "from-internal", "Dial", f"SIP/{DEMO_PBX_TRUNK}/{dst},300,"
            recording = f"out-{dst}-{src}-{stamp}-{uniqueid}.wav"
        else:
            other = rng.choice([e for e in DEMO_EXTENSIONS if e != extension])
            src, dst, did = extension, other, ""
            channel = f"SIP/{extension}-{_channel_suffix(rng)}"
            dstchannel = f"SIP/{other}-{_channel_suffix(rng)}"
            dcontext, lastapp, lastdata = "from-internal", "Dial", f"SIP/{other},,trM(auto-blkvm)"
            recording = f"internal-{dst}-{src}-{stamp}-{uniqueid}.wav"
        if disposition != "ANSWERED" or rng.random() < 0.2:
            recording = ""
        rows.append(
            (
                moment,
                {
                    "disposition": disposition,
                    "cnum": src,
                    "amaflags": "3",
                    "clid": f'"{src}" <{src}>',
                    "duration": str(wait + billsec),
                    "calldate": local.strftime(PBX_DATETIME),
                    "dst": dst,
                    "lastdata": lastdata,
                    "outbound_cnam": "",
                    "dstchannel": dstchannel,
                    "channel": channel,
                    "accountcode": "",
                    "dcontext": dcontext,
                    "uniqueid": uniqueid,
                    "dst_cnam": "",
                    "src": src,
                    "userfield": "",
                    "did": did,
                    "lastapp": lastapp,
                    "cnam": src,
                    "outbound_cnum": "",
                    "billsec": str(billsec),
                    "recordingfile": recording,
                },
            )
        )
    rows.reverse()
    return tuple(rows)


def wav_matches(pattern: str, filename: str) -> bool:
    """The document's grep-like ``wavname``: a literal part of the name, or a bounded regex."""
    if pattern in filename:
        return True
    if len(pattern) > 200:
        return False
    try:
        return re.search(pattern, filename) is not None
    except re.error:
        return False


class PbxApi(PasifikBase):
    pbx_central: str
    demo_scale = 1
    poison_record = False  # see ..poison; reset by PasifikSandbox.reset

    def reset_pbx(self) -> None:
        self.pbx_central = "onapi"
        self._pbx_anchor: str | None = None

    def pbx_rules(self) -> list[Rule]:
        return [
            self.api_rule("pbx/sippeers/", "pbx_sippeers"),
            self.api_rule("pbx/sipextensions/", "pbx_sipextensions"),
            self.api_rule("pbx/cdr/", "pbx_cdr"),
            self.api_rule("pbx/cdr/wav/", "pbx_cdr_wav"),
            self.api_rule("pbx/activecall/", "pbx_activecall"),
        ]

    def pbx_wrap(self, body: Any, empty: Any) -> Response:
        code, state = PBX_STATES.get(self.pbx_central, PBX_STATES["oflin"])
        if self.pbx_central != "onapi":
            body = empty  # the PBX could not be asked
        return json_response({"body": body, "state": state, "code": code, "central": self.pbx_central})

    # --- endpoints ----------------------------------------------------------

    def pbx_sippeers(self, request: Request, lang: str) -> Response:
        self.json_body(request)
        minute = int(self.now().timestamp()) // 60
        peers = [_peer(DEMO_PBX_TRUNK, "OK (15 ms)", "1.1.1.1", "5060", dynamic=False)]
        for extension in DEMO_EXTENSIONS:
            rng = seeded("pasifik-peer", extension, minute)
            status = f"OK ({rng.randint(8, 160)} ms)"
            if extension in ("104", "107"):
                status = "UNKNOWN"
            elif extension == "105" or (extension == "106" and minute % 20 >= 10):
                status = "UNREACHABLE"
            address, port = ("-none-", "0") if status == "UNKNOWN" else (f"10.0.0.{extension[-1]}", "5062")
            peers.append(_peer(extension, status, address, port, dynamic=True))
        return self.pbx_wrap(peers, [])

    def pbx_sipextensions(self, request: Request, lang: str) -> Response:
        self.json_body(request)
        secret = seeded("pasifik-sip-secret", DEMO_PBX_TRUNK)
        extensions: dict[str, dict[str, str]] = {
            DEMO_PBX_TRUNK: {
                "username": DEMO_PBX_TRUNK,
                "context": f"from-trunk-sip-{DEMO_PBX_TRUNK}",
                "dtmfmode": "rfc2833",
                "allow": "alaw",
                "insecure": "port,invite",
                "secret": _secret(secret),
                "fromdomain": "sip.pasifiktelekom.com.tr",
                "disallow": "all",
                "qualify": "yes",
                "nat": "auto",
                "host": "sip.pasifiktelekom.com.tr",
                "fromuser": DEMO_PBX_TRUNK,
                "type": "peer",
            }
        }
        for extension in DEMO_EXTENSIONS:
            extensions[extension] = {
                "icesupport": "no",
                "avpf": "no",
                "sendrpid": "no",
                "callcounter": "yes",
                "callgroup": "",
                "port": "5060",
                "transport": "udp",
                "dial": f"SIP/{extension}",
                "callerid": f"{extension} <{extension}>",
                "encryption": "no",
                "secret": _secret(seeded("pasifik-sip-secret", extension)),
                "nat": "yes",
                "type": "friend",
                "faxdetect": "no",
                "mailbox": f"{extension}@device",
                "qualifyfreq": "60",
                "host": "dynamic",
                "deny": "0.0.0.0/0.0.0.0",
                "dtmfmode": "auto",
                "qualify": "yes",
                "pickupgroup": "",
                "canreinvite": "no",
                "context": "from-internal",
                "permit": "0.0.0.0/0.0.0.0",
                "trustrpid": "yes",
            }
        return self.pbx_wrap(extensions, {})

    def pbx_cdr(self, request: Request, lang: str) -> Response:
        body = self.json_body(request)
        start = optional_datetime(body, "start_date", PBX_DATETIME)
        end = optional_datetime(body, "end_date", PBX_DATETIME)
        if start and end and end < start:
            raise invalid("end_date", "end_date must not be before start_date.")
        field_name = body.get("field_name") or "src"
        if field_name not in CDR_FIELDS:
            raise invalid("field_name", f"Must be one of {', '.join(CDR_FIELDS)}.")
        pattern = body.get("field_pattern")
        if pattern is not None and not isinstance(pattern, str | int):
            raise invalid("field_pattern", "Not a valid string.")
        status = body.get("status") or "ALL"
        if status not in CDR_STATUSES:
            raise invalid("status", f"Must be one of {', '.join(CDR_STATUSES)}.")
        recordings = body.get("recordings") or "all"
        if recordings not in CDR_RECORDINGS:
            raise invalid("recordings", f"Must be one of {', '.join(CDR_RECORDINGS)}.")
        rows = []
        for calldate, cdr in self._pbx_cdrs():
            if (start and calldate < start) or (end and calldate > end):
                continue
            if pattern not in (None, "") and not like(str(pattern), cdr[field_name]):
                continue
            if status != "ALL" and cdr["disposition"] != status:
                continue
            if (recordings == "only" and not cdr["recordingfile"]) or (
                recordings == "without" and cdr["recordingfile"]
            ):
                continue
            rows.append(cdr)
        rows = poisoned(rows, on=self.poison_record, id_field="uniqueid", bad_field="duration", as_text=True)
        return self.pbx_wrap(rows, [])

    def pbx_cdr_wav(self, request: Request, lang: str) -> Response:
        body = self.json_body(request, binary=True)
        wavname = required_str(body, "wavname")
        day = parse_datetime(required_str(body, "calldate"), "calldate", PBX_DATE).date()
        if "/" in wavname or "\\" in wavname:
            raise invalid("wavname", "Basename only, without directory.")
        if self.pbx_central != "onapi":
            return self.pbx_wrap([], [])
        for calldate, cdr in self._pbx_cdrs():
            name = cdr["recordingfile"]
            if name and calldate.astimezone(PBX_ZONE).date() == day and wav_matches(wavname, name):
                seconds = min(max(int(cdr["billsec"]), 3), MAX_WAV_SECONDS)
                return Response(
                    media.wav_bytes(name, seconds),
                    status=200,
                    content_type="octet-stream",  # sic: the document's own header
                    headers={"Content-Disposition": f'attachment; filename="{name}"'},
                )
        raise ApiError(404)

    def pbx_activecall(self, request: Request, lang: str) -> Response:
        self.json_body(request)
        now = self.now()
        moment = now.timestamp()
        current = int(moment) // ACTIVE_SLOT_SECONDS
        channels: list[Any] = []
        calls = 0
        for slot in range(current - 4, current + 1):
            rng = seeded("pasifik-pbx-active", slot)
            for lane in range(3):
                start = slot * ACTIVE_SLOT_SECONDS + rng.randint(0, 100)
                length = rng.randint(30, 420)
                present = rng.random() < 0.5
                if not present or not start <= moment < start + length:
                    continue
                calls += 1
                channels.extend(_active_channels(rng, lane, int(moment - start)))
        summary = [
            f"{len(channels)} active channels",
            f"{calls} active calls",
            f"{26000 + int(moment) // 60 % 100000} calls processed",
        ]
        return self.pbx_wrap(channels + summary, [])

    # --- helpers ------------------------------------------------------------

    def _pbx_cdrs(self) -> tuple[tuple[datetime, dict[str, Any]], ...]:
        if self._pbx_anchor is None:
            self._pbx_anchor = self.now().astimezone(UTC).replace(tzinfo=None).isoformat(timespec="hours")
        return demo_pbx_cdrs(self._pbx_anchor, self.demo_scale)


def _peer(name: str, status: str, address: str, port: str, *, dynamic: bool) -> dict[str, str]:
    return {
        "IPport": port,
        "Comedia": "yes" if dynamic else "no",
        "Status": status,
        "ChanObjectType": "peer",
        "VideoSupport": "no",
        "ObjectName": name,
        "RealtimeDevice": "no",
        "Dynamic": "yes" if dynamic else "no",
        "TextSupport": "no",
        "ACL": "yes" if dynamic else "no",
        "AutoComedia": "no",
        "AutoForcerport": "no",
        "Channeltype": "SIP",
        "IPaddress": address,
        "Event": "PeerEntry",
        "Forcerport": "yes" if dynamic else "no",
        "Description": "",
    }


def _secret(rng: Any) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(alphabet) for _ in range(25))


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _active_channels(rng: Any, lane: int, elapsed: int) -> list[dict[str, str]]:
    extension = DEMO_EXTENSIONS[(lane * 3 + rng.randint(0, 7)) % len(DEMO_EXTENSIONS)]
    caller = _external(rng)
    state = "Up" if elapsed > 5 else "Ringing"
    trunk_channel = f"SIP/{DEMO_PBX_TRUNK}-{_channel_suffix(rng)}"
    local_channel = f"SIP/{extension}-{_channel_suffix(rng)}"
    common = {"Accountcode": "", "PeerAccount": "", "Duration": _hms(elapsed)}
    return [
        {
            "Channel": trunk_channel,
            "Context": "ext-queues",
            "Extension": "0000",
            "Prio": "40",
            "State": state,
            "Application": "Queue",
            "Data": "0000,t,,,,,,,,",
            "CallerID": caller,
            **common,
            "BridgedTo": local_channel,
        },
        {
            "Channel": local_channel,
            "Context": "macro-dial-one",
            "Extension": "s",
            "Prio": "1",
            "State": state,
            "Application": "AppDial",
            "Data": "(Outgoing Line)",
            "CallerID": extension,
            **common,
            "BridgedTo": trunk_channel,
        },
    ]
