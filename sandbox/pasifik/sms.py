"""SMS and user settings: sms/submit/, sms/submit/multi/, sms/query/multi/,
sms/query/multi/id/, sms/query/, user/getsettings/.

Each number's fate is decided by its last digit, so tests know what to expect:
``…9`` is undelivered ("Unknown subscriber"), ``…8`` never reaches the handset
and expires when its validity ``period`` ends, every other number is
delivered. Both outcomes land ``SMS_DELIVERY_SECONDS`` of sandbox time after
the message is due (submission, or ``scheduled_delivery_time`` if later).
"""

# Demo texts are Turkish, dotless i included.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..core import json_response
from .common import (
    UTC_DATETIME,
    ApiError,
    PasifikBase,
    invalid,
    money,
    optional_bool,
    optional_datetime,
    optional_int,
    required_list,
    required_str,
    seeded,
    translate,
    turkish_date_range,
    turkish_time,
)

SMS_DELIVERY_SECONDS = 30
SMS_PART_PRICE = Decimal("0.024")  # per SMS part, in TRY
DEMO_BALANCE = Decimal("718.21")
MAX_PERIOD_MINUTES = 1440
ALPHABETS = ("Default", "TurkishSingleShift", "DefaultMclass0", "UCS2")
SENDER_MIN, SENDER_MAX = 3, 11

_NUMBER = re.compile(r"^\+?\d{7,15}$")
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")
_TURKISH_SHIFT = set("ğĞıİşŞçÇ")


def sms_parts(text: str, alphabet: str = "Default") -> int:
    """How many SMS a text costs: GSM 160/153, Turkish single shift 155/149, UCS-2 70/67."""
    if alphabet != "UCS2" and all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        length = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, multi = 160, 153
    elif alphabet == "TurkishSingleShift" and all(
        c in _GSM_BASIC or c in _GSM_EXTENDED or c in _TURKISH_SHIFT for c in text
    ):
        length = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, multi = 155, 149
    else:  # UCS2, or characters outside the chosen alphabet: sent as UCS-2
        length = sum(2 if ord(c) > 0xFFFF else 1 for c in text)
        single, multi = 70, 67
    if length <= single:
        return 1
    return -(-length // multi)


def msisdn_of(number: str) -> str:
    """The document's reports drop "+" and Turkey's "90" (905399999999 → 5399999999)."""
    digits = number.lstrip("+")
    if digits.startswith("90") and len(digits) == 12:
        return digits[2:]
    return digits


def network_of(number: str) -> int:
    national = msisdn_of(number)
    return {"53": 1086, "54": 1087, "50": 1088, "55": 1088}.get(national[:2], 1099)


@dataclass
class SmsMessage:
    to: str
    text: str
    parts: int
    due: datetime  # submission, or the scheduled time if later
    expires: datetime  # due + validity period
    submitted: datetime
    sequence: int = 0

    def outcome(self, now: datetime) -> tuple[str, str, datetime]:
        """(state, errorcode text, lastupdated) at sandbox time ``now``."""
        settles = self.due + timedelta(seconds=SMS_DELIVERY_SECONDS)
        if self.to.endswith("8"):
            if now >= self.expires:
                return "Expired", "Validity period expired", self.expires
            return "Waiting", "Waiting for delivery", self.submitted
        if now < settles:
            return "Waiting", "Waiting for delivery", self.submitted
        if self.to.endswith("9"):
            return "Undelivered", "Unknown subscriber", settles
        return "Delivered", "It was delivered", settles


@dataclass
class SmsBatch:
    sms_id: int
    sender: str
    created: datetime
    cost: Decimal
    messages: list[SmsMessage] = field(default_factory=list)

    def counts(self, now: datetime) -> dict[str, int]:
        states = [m.outcome(now)[0] for m in self.messages]
        return {
            "count": len(states),
            "waiting": states.count("Waiting"),
            "delivered": states.count("Delivered"),
            "undelivered": len(states) - states.count("Waiting") - states.count("Delivered"),
        }


class SmsApi(PasifikBase):
    sms_batches: dict[int, SmsBatch]
    balance: Decimal

    def reset_sms(self) -> None:
        self.sms_batches = {}
        self.balance = DEMO_BALANCE
        self._next_sms_id = 100001
        self._seed_demo_sms()

    def sms_rules(self) -> list[Rule]:
        return [
            self.api_rule("sms/submit/", "sms_submit"),
            self.api_rule("sms/submit/multi/", "sms_submit_multi"),
            self.api_rule("sms/query/multi/", "sms_query_multi"),
            self.api_rule("sms/query/multi/id/", "sms_query_multi_by_id"),
            self.api_rule("sms/query/", "sms_query"),
            self.api_rule("user/getsettings/", "user_getsettings"),
        ]

    # --- endpoints ----------------------------------------------------------

    def sms_submit(self, request: Request, lang: str) -> Response:
        body = self.json_body(request)
        sender = _sender(body)
        numbers = [n.strip() for n in required_str(body, "to").split(",") if n.strip()]
        if not numbers:
            raise invalid("to", "This field is required.")
        for number in numbers:
            _check_number(number, "to")
        text = required_str(body, "text")
        envelopes = [(number, text) for number in numbers]
        return self._accept_sms(body, sender, envelopes, lang)

    def sms_submit_multi(self, request: Request, lang: str) -> Response:
        body = self.json_body(request)
        sender = _sender(body)
        raw = required_list(body, "envelopes")
        envelopes = []
        for index, envelope in enumerate(raw):
            if not isinstance(envelope, dict):
                raise invalid(f"envelopes[{index}]", "Expected a dictionary with to and text.")
            number = required_str(envelope, "to")
            if "," in number:
                raise invalid(f"envelopes[{index}].to", "Every message has only one destination.")
            _check_number(number, f"envelopes[{index}].to")
            envelopes.append((number, required_str(envelope, "text")))
        return self._accept_sms(body, sender, envelopes, lang)

    def sms_query_multi(self, request: Request, lang: str) -> Response:
        start, end = turkish_date_range(self.json_body(request))
        batches = [b for b in self.sms_batches.values() if start <= b.created < end]
        batches.sort(key=lambda b: b.created, reverse=True)  # newest first, as the example
        return json_response([self._batch_summary(b) for b in batches])

    def sms_query_multi_by_id(self, request: Request, lang: str) -> Response:
        batch = self._batch(self.json_body(request))
        return json_response(self._batch_summary(batch))

    def sms_query(self, request: Request, lang: str) -> Response:
        batch = self._batch(self.json_body(request))
        now = self.now()
        rows = []
        for message in batch.messages:
            state, errorcode, lastupdated = message.outcome(now)
            rows.append(
                {
                    "network": network_of(message.to),
                    "sequence": message.sequence,
                    "msisdn": msisdn_of(message.to),
                    "xser": "",
                    "lastupdated": turkish_time(lastupdated),
                    "errorcode": translate(errorcode, lang),
                    "state": state,
                    "cost": float(message.parts),
                    "submitted": turkish_time(message.submitted),
                    "payload": message.text,
                    "sms_id": batch.sms_id,
                }
            )
        return json_response(rows)

    def user_getsettings(self, request: Request, lang: str) -> Response:
        self.json_body(request)
        totals = {"count": 0, "waiting": 0, "delivered": 0, "undelivered": 0}
        now = self.now()
        for batch in self.sms_batches.values():
            for key, value in batch.counts(now).items():
                totals[key] += value
        return json_response(
            {
                "username": self.settings_username(),
                "tel_balance_pkt": 0,
                "tel_account_list": list(self.telephone_ids()),
                "undelivered_all": totals["undelivered"],
                "delivered_all": totals["delivered"],
                "sms_balance_pkt": int(self.balance / SMS_PART_PRICE),
                "waiting_all": totals["waiting"],
                "currency": "TRY",
                "count_all": totals["count"],
                "fullname": "Demo Kullanıcı",
                "balance": money(self.balance),
            }
        )

    # Overridden by the final class; here so the mixin reads on its own.
    def settings_username(self) -> str:
        return "demo"

    def telephone_ids(self) -> tuple[int, ...]:
        return ()

    # --- helpers ------------------------------------------------------------

    def _accept_sms(self, body: dict[str, Any], sender: str, envelopes: list[tuple[str, str]], lang: str) -> Response:
        alphabet = body.get("alphabet", "Default")
        if alphabet not in ALPHABETS:
            raise invalid("alphabet", f"Must be one of {', '.join(ALPHABETS)}.")
        optional_bool(body, "universal")
        period = optional_int(body, "period", MAX_PERIOD_MINUTES) or 0
        if period <= 0:
            raise invalid("period", "Ensure this value is greater than 0.")
        period = min(period, MAX_PERIOD_MINUTES)  # "we will automatically set it to 24h"
        now = self.now()
        scheduled = optional_datetime(body, "scheduled_delivery_time", UTC_DATETIME)
        due = max(now, scheduled) if scheduled else now
        messages = []
        seen: dict[str, int] = {}
        for number, text in envelopes:
            sequence = seen.get(number, 0)
            seen[number] = sequence + 1
            messages.append(
                SmsMessage(
                    to=number,
                    text=text,
                    parts=sms_parts(text, alphabet),
                    due=due,
                    expires=due + timedelta(minutes=period),
                    submitted=now,
                    sequence=sequence,
                )
            )
        cost = SMS_PART_PRICE * sum(m.parts for m in messages)
        if cost > self.balance:
            raise ApiError(400, "Insufficient balance.", errors={"balance": ["Insufficient balance."]})
        self.balance -= cost
        batch = self._store_batch(sender, now, cost, messages)
        return json_response({"id": str(batch.sms_id), "code": "200", "description": translate("OK", lang)})

    def _store_batch(self, sender: str, created: datetime, cost: Decimal, messages: list[SmsMessage]) -> SmsBatch:
        batch = SmsBatch(sms_id=self._next_sms_id, sender=sender, created=created, cost=cost, messages=messages)
        self.sms_batches[batch.sms_id] = batch
        self._next_sms_id += 1
        return batch

    def _batch(self, body: dict[str, Any]) -> SmsBatch:
        raw = required_str(body, "sms_id")
        if not raw.isdigit():
            raise invalid("sms_id", "A valid integer is required.")
        batch = self.sms_batches.get(int(raw))
        if batch is None:
            raise ApiError(404)
        return batch

    def _batch_summary(self, batch: SmsBatch) -> dict[str, Any]:
        counts = batch.counts(self.now())
        # Counts and cost are strings here, numbers elsewhere: as the document shows.
        return {
            "count": str(counts["count"]),
            "sender": batch.sender,
            "succeeded": True,
            "created": turkish_time(batch.created),
            "waiting_count": str(counts["waiting"]),
            "delivered_count": str(counts["delivered"]),
            "cost": f"{batch.cost:.3f}",
            "message": batch.messages[0].text if batch.messages else "",
            "undelivered_count": str(counts["undelivered"]),
            "sms_id": batch.sms_id,
        }

    def _seed_demo_sms(self) -> None:
        """A week of earlier campaigns, already settled, so reports are not empty."""
        rng = seeded("pasifik-sms-demo")
        now = self.now()
        texts = (
            "Siparişiniz kargoya verildi.",
            "Randevunuz yarın saat 10:00'da.",
            "Your verification code is 482913.",
            "Kampanya: bu hafta tüm ürünlerde %20 indirim!",
            "Ödemeniz alındı, teşekkür ederiz.",
            "Toplantı 15:00'e ertelendi.",
        )
        for index, text in enumerate(texts):
            created = now - timedelta(days=6 - index, hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
            numbers = [f"90532{rng.randint(1000000, 9999999)}" for _ in range(rng.randint(2, 6))]
            numbers[-1] = numbers[-1][:-1] + "9"  # one undelivered in each campaign
            messages = [
                SmsMessage(
                    to=n,
                    text=text,
                    parts=sms_parts(text),
                    due=created,
                    expires=created + timedelta(minutes=MAX_PERIOD_MINUTES),
                    submitted=created,
                )
                for n in numbers
            ]
            self._store_batch("DEMOFIRMA", created, SMS_PART_PRICE * sum(m.parts for m in messages), messages)


def _sender(body: dict[str, Any]) -> str:
    sender = required_str(body, "from")
    if not SENDER_MIN <= len(sender) <= SENDER_MAX:
        raise invalid("from", f"Ensure this field has between {SENDER_MIN} and {SENDER_MAX} characters.")
    return sender


def _check_number(number: str, field_name: str) -> None:
    if not _NUMBER.match(number):
        raise invalid(field_name, f"Invalid phone number: {number}")
