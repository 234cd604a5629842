"""Telephone: tel/history/ (CDRs), tel/live/ and tel/live/disconnect/.

History holds ``CALLS_PER_ACCOUNT`` (times the sandbox's ``demo_scale``)
deterministic calls for each of ``DEMO_TELEPHONE_IDS``, over the 30 days
before the hour in which history was first asked for after a reset (cached
per hour, so a reset costs nothing).

Live calls come from the clock: sandbox time is cut into ``LIVE_SLOT_SECONDS``
slots and each (account, slot) may hold one call, decided by a seeded
generator. A call is "ARInProgress" for its first two seconds, "ARComplete"
(ringing) until answered, then "Connected" until it hangs up, at most a few
minutes later. Its ``id`` encodes the slot and the account, so a disconnect
finds it again; a disconnected or ended call answers 404 with
``{"result": "ERROR", "code": "404", "description": ...}``. Live calls that end
(or are cut) after the first history request join the history, newest first,
with ``i_cdr`` equal to the live call's ``id``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..core import json_response
from ..paging import faulty_cursor
from ..poison import poisoned
from .common import (
    UTC_DATETIME,
    ApiError,
    PasifikBase,
    invalid,
    like,
    optional_datetime,
    optional_int,
    required_int,
    required_list,
    seeded,
)

DEMO_TELEPHONE_IDS = (252, 230)
DEMO_TELEPHONE_NUMBERS = {252: "908505320252", 230: "908505320230"}
HISTORY_DAYS = 30
CALLS_PER_ACCOUNT = 160
LIVE_SLOT_SECONDS = 90
ENDED_CALLS_DAYS = 3  # how far back ended live calls are added to the history
CDR_TYPES = ("non_zero_and_errors", "non_zero", "all", "complete", "incomplete", "errors")
PORTA_TIME = "%H:%M:%S.000 GMT %a %b %d %Y"

_DESTINATIONS = (
    ("0532", "TURKEY", "TURKEY - MOBILE TURKCELL", 0.09),
    ("0542", "TURKEY", "TURKEY - MOBILE VODAFONE", 0.09),
    ("0555", "TURKEY", "TURKEY - MOBILE TURK TELEKOM", 0.09),
    ("0212", "TURKEY", "TURKEY - ISTANBUL EUROPE", 0.03),
    ("0216", "TURKEY", "TURKEY - ISTANBUL ASIA", 0.03),
    ("0312", "TURKEY", "TURKEY - ANKARA", 0.03),
    ("0850", "TURKEY", "PASIFIK TELEKOM", 0.0),
)


def porta_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(PORTA_TIME)


@lru_cache(maxsize=8)
def demo_history(account: int, anchor: str, scale: int = 1) -> tuple[tuple[datetime, dict[str, Any]], ...]:
    """(connect time, CDR) pairs, newest first; cached per account, hour and scale (calls over the same 30 days)."""
    end = datetime.fromisoformat(anchor).replace(tzinfo=UTC)
    rng = seeded("pasifik-tel-history", account)
    our_number = DEMO_TELEPHONE_NUMBERS.get(account, f"90850{account:07d}")
    starts = sorted(
        end - timedelta(seconds=rng.randint(60, HISTORY_DAYS * 86400)) for _ in range(CALLS_PER_ACCOUNT * scale)
    )
    records = []
    for index, setup in enumerate(starts):
        prefix, country, description, price = rng.choice(_DESTINATIONS)
        called = prefix + f"{rng.randint(0, 9999999):07d}"
        roll = rng.random()
        if roll < 0.65:
            result, duration = 0, float(rng.randint(4, 900))
        elif roll < 0.85:
            result, duration = 0, 0.0  # rang out or was cancelled: a zero-duration CDR
        else:
            result, duration = rng.choice((1, 3, 16, 17)), 0.0  # failed calls
        billed = float(math.ceil(duration / 60) * 60) if duration else 0.0
        connect = setup + timedelta(seconds=rng.randint(2, 20)) if duration else setup
        i_cdr = 17950000 + account * 1000 + index
        records.append(
            (
                connect,
                {
                    "accessibility_cost": 0.0,
                    "protocol": "SIP",
                    "connect_time": porta_time(connect),
                    "prefix": "B001",
                    "cost": round(billed / 60 * price, 5),
                    "result": result,
                    "duration": duration,
                    "interval_1": 0,
                    "cli": "0" + our_number[2:],
                    "pdd1xx": round(rng.uniform(0.5, 8.0), 9),
                    "cld": "B00190" + called[1:],
                    "i_cdr": i_cdr,
                    "call_id": f"{rng.getrandbits(128):032x}@10.20.30.40",
                    "delay": float(rng.randint(1, 25)),
                    "cld_in": called,
                    "i_call": i_cdr + 37,
                    "free_seconds": 0,
                    "post_call_surcharge": 0.0,
                    "i_account": account,
                    "i_protocol": 1,
                    "disconnect_time": porta_time(connect + timedelta(seconds=duration)),
                    "price_1": 0.0,
                    "description": description,
                    "interval_n": 60,
                    "remote_ip": "10.20.30.40",
                    "area_name": "",
                    "connect_fee": 0.0,
                    "remote_party_id": "",
                    "release_source": rng.choice(("caller", "callee")),
                    "plan_duration": 0.0,
                    "grace_period": 0,
                    "cli_in": our_number,
                    "billed_duration": billed,
                    "country": country,
                    "lrn_cld": "",
                    "p_asserted_id": "",
                    "user_agent": "Asterisk PBX",
                    "lrn_cld_in": "",
                    "price_n": price,
                },
            )
        )
    records.reverse()
    return tuple(records)


def _type_matches(cdr: dict[str, Any], cdr_type: str) -> bool:
    answered = cdr["duration"] > 0
    error = cdr["result"] != 0
    return {
        "non_zero_and_errors": answered or error,
        "non_zero": answered,
        "all": True,
        "complete": answered and not error,
        "incomplete": not answered and not error,
        "errors": error,
    }[cdr_type]


class TelephoneApi(PasifikBase):
    disconnected_calls: dict[int, datetime]
    demo_scale = 1
    poison_record = False  # see ..poison; reset by PasifikSandbox.reset

    def reset_telephone(self) -> None:
        self.disconnected_calls = {}
        self._history_anchor: str | None = None
        self._history_started = self.now()
        self.paging_fault: str | None = None  # one of paging.PAGING_FAULTS, for tel/history

    def telephone_rules(self) -> list[Rule]:
        return [
            self.api_rule("tel/history/", "tel_history"),
            self.api_rule("tel/live/", "tel_live"),
            self.api_rule("tel/live/disconnect/", "tel_live_disconnect"),
        ]

    def telephone_ids(self) -> tuple[int, ...]:
        return DEMO_TELEPHONE_IDS

    # --- endpoints ----------------------------------------------------------

    def tel_history(self, request: Request, lang: str) -> Response:
        body = self.json_body(request)
        account = required_int(body, "i_account")
        start = optional_datetime(body, "start_date", UTC_DATETIME)
        end = optional_datetime(body, "end_date", UTC_DATETIME)
        if start and end and end < start:
            raise invalid("end_date", "end_date must not be before start_date.")
        cdr_type = body.get("type") or "non_zero_and_errors"
        if cdr_type not in CDR_TYPES:
            raise invalid("type", f"Must be one of {', '.join(CDR_TYPES)}.")
        offset = optional_int(body, "offset", 0) or 0
        limit = optional_int(body, "limit")
        if offset < 0:
            raise invalid("offset", "Ensure this value is greater than or equal to 0.")
        if limit is not None and limit < 0:
            raise invalid("limit", "Ensure this value is greater than or equal to 0.")
        if limit == 0:
            limit = None  # Pasifik's own client sends 0 for "unset": no limit, not an empty page
        cli, cld = body.get("cli"), body.get("cld")
        if account not in DEMO_TELEPHONE_IDS:
            # As tel/live: "Calls are limited to those belonging to the current customer."
            return json_response([])
        offset = faulty_cursor(self.paging_fault, offset, first=0, step=limit or 0)
        if self._history_anchor is None:
            # Demo history ends at the hour history was first asked for (cached per hour);
            # live calls that end from that first request on join it as time goes by.
            self._history_started = self.now()
            self._history_anchor = (
                self._history_started.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="hours")
            )
        records = [
            *self._ended_live_calls(account, self._history_started, self.now()),
            *demo_history(account, self._history_anchor, self.demo_scale),
        ]
        rows = []
        for connect, cdr in records:
            if (start and connect < start) or (end and connect > end):
                continue
            if cli and not like(str(cli), cdr["cli"]) and not like(str(cli), cdr["cli_in"]):
                continue
            if cld and not like(str(cld), cdr["cld_in"]) and not like(str(cld), cdr["cld"]):
                continue
            if _type_matches(cdr, cdr_type):
                rows.append(cdr)
        rows = poisoned(rows, on=self.poison_record, id_field="i_cdr", bad_field="connect_time")
        rows = rows[offset:] if limit is None else rows[offset : offset + limit]
        return json_response(rows)

    def tel_live(self, request: Request, lang: str) -> Response:
        body = self.json_body(request)
        raw = required_list(body, "i_account_list")
        try:
            accounts = [int(a) for a in raw if not isinstance(a, bool)]
        except (TypeError, ValueError):
            raise invalid("i_account_list", "A list of integers is required.") from None
        now = self.now()
        calls = []
        for account in accounts:  # "limited to those belonging to the current customer"
            if account in DEMO_TELEPHONE_IDS:
                calls.extend(self._live_calls(account, now))
        return json_response(calls)

    def tel_live_disconnect(self, request: Request, lang: str) -> Response:
        call_id = required_int(self.json_body(request), "id")
        slot, index = divmod(call_id, 10)
        now = self.now()
        call = None
        if index < len(DEMO_TELEPHONE_IDS) and call_id not in self.disconnected_calls:
            call = self._live_call(DEMO_TELEPHONE_IDS[index], slot, now)
        if call is None:
            raise ApiError(404, extra={"result": "ERROR"})
        self.disconnected_calls[call_id] = now
        return json_response({"result": "OK"})

    # --- live calls ---------------------------------------------------------

    def _live_calls(self, account: int, now: datetime) -> list[dict[str, Any]]:
        current = int(now.timestamp()) // LIVE_SLOT_SECONDS
        calls = [self._live_call(account, slot, now) for slot in range(current - 4, current + 1)]
        return [call for call in calls if call is not None]

    def _live_call(self, account: int, slot: int, now: datetime) -> dict[str, Any] | None:
        """The call of ``slot`` on ``account`` as tel/live shows it, if it is live at ``now``."""
        call = slot_call(account, slot)
        moment = now.timestamp()
        if call is None or not call.start <= moment < call.end or call.call_id in self.disconnected_calls:
            return None
        if moment < call.start + 2:
            state = "ARInProgress"
        elif moment < call.answered:
            state = "ARComplete"
        else:
            state = "Connected"
        return {
            "b2bua_tag": "" if state != "Connected" else call.b2bua_tag,
            "cli": DEMO_TELEPHONE_NUMBERS[account],
            "i_connection": 1,
            "cld": call.cld,
            "call_id": call.sip_call_id,
            "delay": call.delay,
            "duration": max(0, int(moment - call.answered)),
            "cc_state": state,
            "i_account": account,
            "id": str(call.call_id),
            "country": "TURKEY",
            "description": "Pasifik Telekom",
        }

    def _ended_live_calls(self, account: int, since: datetime, now: datetime) -> list[tuple[datetime, dict[str, Any]]]:
        """CDRs of the live calls that ended (or were cut) between ``since`` and ``now``."""
        # A call lasts at most four slots, so one that ends after ``since`` began at most four before.
        first = int(max(since, now - timedelta(days=ENDED_CALLS_DAYS)).timestamp()) // LIVE_SLOT_SECONDS - 4
        rows = []
        for slot in range(first, int(now.timestamp()) // LIVE_SLOT_SECONDS + 1):
            call = slot_call(account, slot)
            if call is None:
                continue
            cut = self.disconnected_calls.get(call.call_id)
            end = min(call.end, cut.timestamp()) if cut else call.end
            if since.timestamp() < end <= now.timestamp():
                rows.append(call.cdr(account, end, released_by_api=cut is not None))
        rows.reverse()
        return rows


@dataclass(frozen=True)
class SlotCall:
    """The one call an account may have in a slot of sandbox time."""

    call_id: int
    start: float  # epoch seconds
    answered: float
    end: float
    cld: str
    sip_call_id: str
    delay: int
    b2bua_tag: str
    description: str
    price: float

    def cdr(self, account: int, end: float, *, released_by_api: bool) -> tuple[datetime, dict[str, Any]]:
        answered = end > self.answered
        connect = datetime.fromtimestamp(self.answered if answered else self.start, UTC)
        duration = float(int(end - self.answered)) if answered else 0.0
        billed = float(math.ceil(duration / 60) * 60) if duration else 0.0
        number = DEMO_TELEPHONE_NUMBERS[account]
        return connect, {
            "accessibility_cost": 0.0,
            "protocol": "SIP",
            "connect_time": porta_time(connect),
            "prefix": "B001",
            "cost": round(billed / 60 * self.price, 5),
            "result": 0,
            "duration": duration,
            "interval_1": 0,
            "cli": "0" + number[2:],
            "pdd1xx": round(self.delay + 0.25, 9),
            "cld": "B00190" + self.cld[1:],
            "i_cdr": self.call_id,
            "call_id": self.sip_call_id,
            "delay": float(self.delay),
            "cld_in": self.cld,
            "i_call": self.call_id + 37,
            "free_seconds": 0,
            "post_call_surcharge": 0.0,
            "i_account": account,
            "i_protocol": 1,
            "disconnect_time": porta_time(datetime.fromtimestamp(end, UTC)),
            "price_1": 0.0,
            "description": self.description,
            "interval_n": 60,
            "remote_ip": "10.20.30.40",
            "area_name": "",
            "connect_fee": 0.0,
            "remote_party_id": "",
            "release_source": "disconnect" if released_by_api else "caller",
            "plan_duration": 0.0,
            "grace_period": 0,
            "cli_in": number,
            "billed_duration": billed,
            "country": "TURKEY",
            "lrn_cld": "",
            "p_asserted_id": "",
            "user_agent": "Asterisk PBX",
            "lrn_cld_in": "",
            "price_n": self.price,
        }


@lru_cache(maxsize=65536)
def slot_call(account: int, slot: int) -> SlotCall | None:
    rng = seeded("pasifik-tel-live", account, slot)
    if rng.random() > 0.6 or account not in DEMO_TELEPHONE_IDS:
        return None
    start = slot * LIVE_SLOT_SECONDS + rng.randint(0, 30)
    answered = start + rng.randint(4, 14)
    end = answered + rng.randint(20, 240)
    prefix, _, description, price = rng.choice(_DESTINATIONS)
    return SlotCall(
        call_id=slot * 10 + DEMO_TELEPHONE_IDS.index(account),
        start=start,
        answered=answered,
        end=end,
        cld=prefix + f"{rng.randint(0, 9999999):07d}",
        sip_call_id=f"{rng.getrandbits(32):08x}-{rng.getrandbits(32):08x}@10.20.30.40",
        delay=rng.randint(1, 3),
        b2bua_tag=str(rng.randint(1, 4)),
        description=description,
        price=price,
    )
