"""Typed results of the Pasifik API: aware datetimes, Decimal money, integer counts.

Each ``from_api`` reads one record as the document shows it, coercing drifting
types. ``raw`` keeps the record as received (minus secrets) for fields the
portal does not model yet; it is left out of comparisons and ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from .parsing import (
    PROVIDER_ZONE,
    as_bool,
    as_decimal,
    as_float,
    as_int,
    as_int_list,
    as_optional_int,
    as_str,
    parse_cdr_time,
    parse_epoch_uniqueid,
    parse_gmt_stamp,
    parse_hms,
    parse_report_time,
    require_mapping,
)

Raw = Mapping[str, Any]
_LATENCY = re.compile(r"\((\d+(?:\.\d+)?)\s*ms\)")
_SECRET_FIELDS = frozenset({"secret", "md5secret", "password", "remotesecret"})


# --- SMS ------------------------------------------------------------------


@dataclass(frozen=True)
class SmsEnvelope:
    """One message to one number, for ``sms_submit_multi``."""

    to: str
    text: str


@dataclass(frozen=True)
class SubmitResult:
    """The answer to an SMS submit: ``{"id": "123456", "code": "200", "description": "OK"}``."""

    id: int
    code: int
    description: str
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> SubmitResult:
        data = require_mapping(data, what="submit answer")
        return cls(
            id=as_int(data.get("id"), field="id", default=None),
            code=as_int(data.get("code"), field="code", default=200),
            description=as_str(data.get("description") or data.get("message")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class SmsReport:
    """General report of one submit (query multi, query multi by id)."""

    sms_id: int
    sender: str
    message: str
    created: datetime | None
    count: int
    delivered_count: int
    undelivered_count: int
    waiting_count: int
    cost: Decimal
    succeeded: bool
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> SmsReport:
        data = require_mapping(data, what="SMS report")
        return cls(
            sms_id=as_int(data.get("sms_id"), field="sms_id", default=None),
            sender=as_str(data.get("sender")),
            message=as_str(data.get("message")),
            created=parse_report_time(data.get("created"), field="created"),
            count=as_int(data.get("count"), field="count"),
            delivered_count=as_int(data.get("delivered_count"), field="delivered_count"),
            undelivered_count=as_int(data.get("undelivered_count"), field="undelivered_count"),
            waiting_count=as_int(data.get("waiting_count"), field="waiting_count"),
            cost=as_decimal(data.get("cost"), field="cost"),
            succeeded=as_bool(data.get("succeeded"), field="succeeded"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class SmsRecipientReport:
    """Detailed report: one row per destination number (query)."""

    sms_id: int
    msisdn: str
    state: str
    status_text: str  # the document's ``errorcode``: a sentence such as "It was delivered"
    payload: str
    cost: Decimal
    network: int | None
    sequence: int
    xser: str
    submitted: datetime | None
    last_updated: datetime | None
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_delivered(self) -> bool:
        return self.state.strip().lower() == "delivered"

    @classmethod
    def from_api(cls, data: Any) -> SmsRecipientReport:
        data = require_mapping(data, what="SMS detailed report")
        return cls(
            sms_id=as_int(data.get("sms_id"), field="sms_id", default=None),
            msisdn=as_str(data.get("msisdn")),
            state=as_str(data.get("state")),
            status_text=as_str(data.get("errorcode")),
            payload=as_str(data.get("payload")),
            cost=as_decimal(data.get("cost"), field="cost"),
            network=as_optional_int(data.get("network"), field="network"),
            sequence=as_int(data.get("sequence"), field="sequence"),
            xser=as_str(data.get("xser")),
            submitted=parse_report_time(data.get("submitted"), field="submitted"),
            last_updated=parse_report_time(data.get("lastupdated"), field="lastupdated"),
            raw=dict(data),
        )


# --- account ---------------------------------------------------------------


@dataclass(frozen=True)
class UserSettings:
    username: str
    fullname: str
    balance: Decimal
    currency: str
    sms_balance_pkt: int
    tel_balance_pkt: int
    tel_account_list: tuple[int, ...]
    count_all: int
    delivered_all: int
    undelivered_all: int
    waiting_all: int
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> UserSettings:
        data = require_mapping(data, what="user settings")
        return cls(
            username=as_str(data.get("username")),
            fullname=as_str(data.get("fullname")),
            balance=as_decimal(data.get("balance"), field="balance"),
            currency=as_str(data.get("currency")),
            sms_balance_pkt=as_int(data.get("sms_balance_pkt"), field="sms_balance_pkt"),
            tel_balance_pkt=as_int(data.get("tel_balance_pkt"), field="tel_balance_pkt"),
            tel_account_list=as_int_list(data.get("tel_account_list"), field="tel_account_list"),
            count_all=as_int(data.get("count_all"), field="count_all"),
            delivered_all=as_int(data.get("delivered_all"), field="delivered_all"),
            undelivered_all=as_int(data.get("undelivered_all"), field="undelivered_all"),
            waiting_all=as_int(data.get("waiting_all"), field="waiting_all"),
            raw=dict(data),
        )


# --- telephone ---------------------------------------------------------------


@dataclass(frozen=True)
class TelCall:
    """One telephone CDR (``tel/history``). Times are UTC: the document's stamps say GMT."""

    i_cdr: int
    i_call: int
    i_account: int
    call_id: str
    cli: str
    cld: str
    cli_in: str
    cld_in: str
    connect_time: datetime | None
    disconnect_time: datetime | None
    setup_time: datetime | None  # deprecated by the document; usually absent
    duration: float
    billed_duration: int
    plan_duration: int
    cost: Decimal
    result: int
    protocol: str
    country: str
    description: str
    release_source: str
    remote_ip: str
    user_agent: str
    prefix: str
    area_name: str
    delay: float
    pdd1xx: float
    free_seconds: int
    grace_period: int
    interval_1: int
    interval_n: int
    price_1: Decimal
    price_n: Decimal
    connect_fee: Decimal
    post_call_surcharge: Decimal
    accessibility_cost: Decimal
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> TelCall:
        data = require_mapping(data, what="telephone CDR")

        def money(name: str) -> Decimal:
            return as_decimal(data.get(name), field=name)

        def integer(name: str) -> int:
            return as_int(data.get(name), field=name)

        return cls(
            i_cdr=as_int(data.get("i_cdr"), field="i_cdr", default=None),
            i_call=integer("i_call"),
            i_account=integer("i_account"),
            call_id=as_str(data.get("call_id")),
            cli=as_str(data.get("cli")),
            cld=as_str(data.get("cld")),
            cli_in=as_str(data.get("cli_in")),
            cld_in=as_str(data.get("cld_in")),
            connect_time=parse_gmt_stamp(data.get("connect_time"), field="connect_time"),
            disconnect_time=parse_gmt_stamp(data.get("disconnect_time"), field="disconnect_time"),
            setup_time=parse_gmt_stamp(data.get("setup_time"), field="setup_time"),
            duration=as_float(data.get("duration"), field="duration"),
            billed_duration=integer("billed_duration"),
            plan_duration=integer("plan_duration"),
            cost=money("cost"),
            result=integer("result"),
            protocol=as_str(data.get("protocol")),
            country=as_str(data.get("country")),
            description=as_str(data.get("description")),
            release_source=as_str(data.get("release_source")),
            remote_ip=as_str(data.get("remote_ip")),
            user_agent=as_str(data.get("user_agent")),
            prefix=as_str(data.get("prefix")),
            area_name=as_str(data.get("area_name")),
            delay=as_float(data.get("delay"), field="delay"),
            pdd1xx=as_float(data.get("pdd1xx"), field="pdd1xx"),
            free_seconds=integer("free_seconds"),
            grace_period=integer("grace_period"),
            interval_1=integer("interval_1"),
            interval_n=integer("interval_n"),
            price_1=money("price_1"),
            price_n=money("price_n"),
            connect_fee=money("connect_fee"),
            post_call_surcharge=money("post_call_surcharge"),
            accessibility_cost=money("accessibility_cost"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class LiveCall:
    """One call in progress (``tel/live``); ``id`` is what ``tel_live_disconnect`` takes."""

    id: int
    i_account: int
    i_connection: int
    cli: str
    cld: str
    call_id: str
    cc_state: str
    duration: int
    delay: int
    b2bua_tag: str
    country: str
    description: str
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> LiveCall:
        data = require_mapping(data, what="live call")
        return cls(
            id=as_int(data.get("id"), field="id", default=None),
            i_account=as_int(data.get("i_account"), field="i_account"),
            i_connection=as_int(data.get("i_connection"), field="i_connection"),
            cli=as_str(data.get("cli")),
            cld=as_str(data.get("cld")),
            call_id=as_str(data.get("call_id")),
            cc_state=as_str(data.get("cc_state")),
            duration=round(as_float(data.get("duration"), field="duration")),
            delay=round(as_float(data.get("delay"), field="delay")),
            b2bua_tag=as_str(data.get("b2bua_tag")),
            country=as_str(data.get("country")),
            description=as_str(data.get("description")),
            raw=dict(data),
        )


# --- PBX ---------------------------------------------------------------------


@dataclass(frozen=True)
class PbxState:
    """The envelope every PBX answer carries: ``{"state", "code", "central"}``."""

    code: int
    state: str
    central: str


@dataclass(frozen=True)
class SipPeer:
    name: str  # ObjectName: an extension ("100") or a trunk ("908599999999")
    status: str  # "OK (119 ms)", "UNKNOWN", "UNREACHABLE", ...
    latency_ms: int | None
    ip_address: str | None  # None for the provider's "-none-"
    port: int | None
    channel_type: str
    dynamic: bool
    description: str
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_reachable(self) -> bool:
        return self.status.upper().startswith("OK")

    @classmethod
    def from_api(cls, data: Any) -> SipPeer:
        data = require_mapping(data, what="SIP peer")
        status = as_str(data.get("Status")).strip()
        latency = _LATENCY.search(status)
        address = as_str(data.get("IPaddress")).strip()
        port = as_optional_int(data.get("IPport"), field="IPport")
        return cls(
            name=as_str(data.get("ObjectName")),
            status=status,
            latency_ms=round(float(latency.group(1))) if latency else None,
            ip_address=None if address in ("", "-none-", "(null)") else address,
            port=port or None,
            channel_type=as_str(data.get("Channeltype")),
            dynamic=as_bool(data.get("Dynamic"), field="Dynamic"),
            description=as_str(data.get("Description")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class SipExtension:
    """One SIP profile (``pbx/sipextensions``). The SIP password is dropped on reading."""

    name: str
    type: str  # "friend" for a phone, "peer" for a trunk
    context: str
    host: str
    callerid: str
    dial: str
    transport: str
    port: int | None
    settings: Mapping[str, str]  # every other setting, as text, secrets removed

    @property
    def is_trunk(self) -> bool:
        return self.type == "peer"

    @classmethod
    def from_api(cls, name: str, data: Any) -> SipExtension:
        data = require_mapping(data, what=f"SIP extension {name}")
        settings = {str(k): as_str(v) for k, v in data.items() if str(k).lower() not in _SECRET_FIELDS}
        return cls(
            name=str(name),
            type=settings.get("type", ""),
            context=settings.get("context", ""),
            host=settings.get("host", ""),
            callerid=settings.get("callerid", ""),
            dial=settings.get("dial", ""),
            transport=settings.get("transport", ""),
            port=as_optional_int(settings.get("port"), field="port"),
            settings=settings,
        )


@dataclass(frozen=True)
class PbxCdr:
    """One PBX (Asterisk) CDR. ``calldate`` is the PBX's local time, read in its zone; see docs/providers.md."""

    uniqueid: str
    calldate: datetime | None  # aware, in the PBX's zone (the account's ``pbx_zone``)
    started_at: datetime | None  # from uniqueid's Unix time: exact, zone-free
    src: str
    dst: str
    did: str
    clid: str
    cnum: str
    cnam: str
    channel: str
    dstchannel: str
    dcontext: str
    lastapp: str
    lastdata: str
    disposition: str
    duration: int
    billsec: int
    amaflags: str
    accountcode: str
    userfield: str
    recordingfile: str
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_recording(self) -> bool:
        return bool(self.recordingfile)

    @property
    def start(self) -> datetime | None:
        """When the call began: ``uniqueid``'s Unix time when it has one (exact), else ``calldate``."""
        return self.started_at or self.calldate

    @property
    def call_day(self) -> date | None:
        """The ``calldate`` a recording download asks for: the PBX's local day."""
        if self.calldate is not None:
            return self.calldate.date()
        return None

    @classmethod
    def from_api(cls, data: Any, *, zone: tzinfo = PROVIDER_ZONE) -> PbxCdr:
        """``zone``: the PBX's time zone, in which ``calldate`` is read."""
        data = require_mapping(data, what="PBX CDR")
        text = {key: as_str(data.get(key)) for key in _CDR_TEXT_FIELDS}
        return cls(
            uniqueid=as_str(data.get("uniqueid")),
            calldate=parse_cdr_time(data.get("calldate") or data.get("start"), field="calldate", zone=zone),
            started_at=parse_epoch_uniqueid(data.get("uniqueid")),
            duration=as_int(data.get("duration"), field="duration"),
            billsec=as_int(data.get("billsec"), field="billsec"),
            raw=dict(data),
            **text,
        )


_CDR_TEXT_FIELDS = (
    "src", "dst", "did", "clid", "cnum", "cnam", "channel", "dstchannel", "dcontext", "lastapp",
    "lastdata", "disposition", "amaflags", "accountcode", "userfield", "recordingfile",
)  # fmt: skip


@dataclass(frozen=True)
class ActiveChannel:
    channel: str
    context: str
    extension: str
    priority: int
    state: str  # Up, Ring, Ringing, Down
    application: str  # Dial, AppDial, AppQueue, Queue
    data: str
    caller_id: str
    duration: timedelta
    account_code: str
    peer_account: str
    bridged_to: str
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> ActiveChannel:
        data = require_mapping(data, what="active channel")
        return cls(
            channel=as_str(data.get("Channel")),
            context=as_str(data.get("Context")),
            extension=as_str(data.get("Extension")),
            priority=as_int(data.get("Prio"), field="Prio"),
            state=as_str(data.get("State")),
            application=as_str(data.get("Application")),
            data=as_str(data.get("Data")),
            caller_id=as_str(data.get("CallerID")),
            duration=parse_hms(data.get("Duration"), field="Duration"),
            account_code=as_str(data.get("Accountcode")),
            peer_account=as_str(data.get("PeerAccount")),
            bridged_to=as_str(data.get("BridgedTo")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class ActiveCalls:
    """``pbx/activecall``: the channels, plus Asterisk's trailing summary lines when given."""

    channels: tuple[ActiveChannel, ...]
    active_channels: int | None
    active_calls: int | None
    calls_processed: int | None


# --- fax ---------------------------------------------------------------------


@dataclass(frozen=True)
class FaxUploadResult:
    filename: str  # the provider's name for the file: what fax_submit takes
    code: int
    message: str
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> FaxUploadResult:
        data = require_mapping(data, what="fax upload answer")
        return cls(
            filename=as_str(data.get("filename")),
            code=as_int(data.get("code"), field="code", default=200),
            message=as_str(data.get("message") or data.get("description")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class FaxReport:
    """One sent fax (``fax/query``, ``fax/query/report``)."""

    fax_id: int
    sender: str
    filename: str
    created: datetime | None
    scheduled_at: datetime | None
    is_scheduled: bool
    count: int
    delivered: int
    undelivered: int
    waiting: int
    cost: Decimal
    succeeded: bool
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> FaxReport:
        data = require_mapping(data, what="fax report")
        return cls(
            fax_id=as_int(data.get("fax_id"), field="fax_id", default=None),
            sender=as_str(data.get("sender")),
            filename=as_str(data.get("fax_filename")),
            created=parse_report_time(data.get("created"), field="created"),
            scheduled_at=parse_report_time(data.get("scheduled_datetime"), field="scheduled_datetime"),
            is_scheduled=as_bool(data.get("is_scheduled"), field="is_scheduled"),
            count=as_int(data.get("count"), field="count"),
            delivered=as_int(data.get("delivered"), field="delivered"),
            undelivered=as_int(data.get("undelivered"), field="undelivered"),
            waiting=as_int(data.get("waiting"), field="waiting"),
            cost=as_decimal(data.get("cost"), field="cost"),
            succeeded=as_bool(data.get("succeeded"), field="succeeded"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class InboxFax:
    """One received fax (``fax/query/inbox``); download it from ``rxfax``."""

    fax_id: int
    cli: str  # the sender's number
    cld: str  # our fax number: the ``from`` a download takes
    received_at: datetime | None
    filename: str
    is_mailed: bool
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> InboxFax:
        data = require_mapping(data, what="inbox fax")
        return cls(
            fax_id=as_int(data.get("fax_id"), field="fax_id", default=None),
            cli=as_str(data.get("cli")),
            cld=as_str(data.get("cld")),
            received_at=parse_report_time(data.get("datetime"), field="datetime"),
            filename=as_str(data.get("fax_filename")),
            is_mailed=as_bool(data.get("is_mailed"), field="is_mailed"),
            raw=dict(data),
        )
