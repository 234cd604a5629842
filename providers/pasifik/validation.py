"""Checking and formatting what we send, before it leaves: exact in what we send.

Every rule here is one the document states; a breach raises InvalidRequest
(with the field named) without any request going out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from ..errors import InvalidRequest
from .parsing import PROVIDER, PROVIDER_ZONE

LANGUAGES = ("tr", "en", "ar")
AUTH_SCHEMES = ("bare", "basic")
ALPHABETS = ("Default", "TurkishSingleShift", "DefaultMclass0", "UCS2")
TEL_HISTORY_TYPES = ("non_zero_and_errors", "non_zero", "all", "complete", "incomplete", "errors")
CDR_FIELD_NAMES = ("src", "dst", "channel", "dstchannel", "accountcode")
CDR_STATUSES = ("ALL", "ANSWERED", "BUSY", "FAILED", "NO ANSWER")
CDR_RECORDINGS = ("all", "only", "without")
FAX_FORMATS = ("tiff", "pdf")
FAX_DIRECTORIES = ("txfax", "rxfax")

SENDER_MIN, SENDER_MAX = 3, 11
MAX_PERIOD_MINUTES = 1440  # "if you put a longer period, we will automatically set it to 24h"

UTC_Z_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # SMS/fax scheduling, telephone history filters
CDR_FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"  # PBX CDR filters, "in UTC Timezone"
REPORT_DATE_FORMAT = "%d.%m.%Y"  # SMS and fax report ranges
WAV_DATE_FORMAT = "%Y-%m-%d"

# International format, E.164's 15 digits at most; 7 at least, as no subscriber number is shorter.
NUMBER_MIN_DIGITS, NUMBER_MAX_DIGITS = 7, 15
_NUMBER = re.compile(rf"^\+?\d{{{NUMBER_MIN_DIGITS},{NUMBER_MAX_DIGITS}}}$")
# A recording name as a CDR gives it. The provider treats ``wavname`` as a grep
# pattern, so anything that could widen the match is refused.
_WAV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*\.wav$")
_SAFE_FILENAME = re.compile(r"^[^/\\\x00-\x1f]+$")


def invalid(field: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {message}", field_errors={field: [message]}, provider=PROVIDER)


def choice(value: str, *, field: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    if value not in options:
        raise invalid(field, f"must be one of {', '.join(options)}")
    return value


def sender(value: str, *, field: str = "from") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not SENDER_MIN <= len(text) <= SENDER_MAX:
        raise invalid(field, f"must be {SENDER_MIN} to {SENDER_MAX} characters long")
    return text


def text(value: str, *, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, "must not be empty")
    return value


def numbers(value: str | Iterable[str], *, field: str = "to", international: bool = False) -> list[str]:
    """One or more destination numbers (a list, or a comma-separated string)."""
    raw = value.split(",") if isinstance(value, str) else list(value)
    cleaned = [str(item).strip().replace(" ", "") for item in raw if str(item).strip()]
    if not cleaned:
        raise invalid(field, "needs at least one number")
    for number in cleaned:
        if not _NUMBER.match(number):
            raise invalid(
                field,
                f"{number!r} is not a phone number in international format "
                f"({NUMBER_MIN_DIGITS} to {NUMBER_MAX_DIGITS} digits, e.g. 905399999999)",
            )
        # "universal = true ... make sure you should prefix it with +": the + and the flag go together.
        if international and not number.startswith("+"):
            raise invalid(field, f"{number!r} must start with + when universal is true")
        if not international and number.startswith("+"):
            raise invalid(
                field,
                f"{number!r} starts with +, which is only for international SMS (universal true); "
                "a Turkish number goes without it, e.g. 905399999999",
            )
    return cleaned


def single_number(value: str, *, field: str = "to", international: bool = False) -> str:
    cleaned = numbers(value, field=field, international=international)
    if len(cleaned) != 1:
        raise invalid(field, "takes exactly one number")
    return cleaned[0]


def period(value: int, *, field: str = "period") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(field, "must be a positive number of minutes")
    return min(value, MAX_PERIOD_MINUTES)


def aware(value: datetime, *, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise invalid(field, "must be a timezone-aware datetime")
    return value


def utc_z(value: datetime, *, field: str) -> str:
    return aware(value, field=field).astimezone(UTC).strftime(UTC_Z_FORMAT)


def cdr_filter_time(value: datetime, *, field: str) -> str:
    return aware(value, field=field).astimezone(UTC).strftime(CDR_FILTER_FORMAT)


def report_date(value: date, *, field: str) -> str:
    return _as_date(value, field=field).strftime(REPORT_DATE_FORMAT)


def wav_date(value: date, *, field: str = "calldate") -> str:
    return _as_date(value, field=field).strftime(WAV_DATE_FORMAT)


def date_range(start: date, end: date) -> tuple[str, str]:
    if _as_date(start, field="start_date") > _as_date(end, field="end_date"):
        raise invalid("end_date", "must not be before start_date")
    return report_date(start, field="start_date"), report_date(end, field="end_date")


def time_range(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and aware(start, field="start_date") > aware(end, field="end_date"):
        raise invalid("end_date", "must not be before start_date")


def positive_id(value: int | str, *, field: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise invalid(field, "must be a number") from None
    if number < 1:
        raise invalid(field, "must be a positive number")
    return number


def wav_name(value: str) -> str:
    if not isinstance(value, str) or not _WAV_NAME.match(value) or ".." in value:
        raise invalid("wavname", "must be a recording file name taken from a CDR (basename ending in .wav)")
    return value


def file_name(value: str, *, field: str = "filename") -> str:
    if not isinstance(value, str) or not value.strip() or not _SAFE_FILENAME.match(value) or value in (".", ".."):
        raise invalid(field, "must be a plain file name")
    return value


def non_negative(value: int, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(field, "must be zero or more")
    return value


def positive(value: int, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(field, "must be one or more")
    return value


def drop_none(body: dict[str, Any]) -> dict[str, Any]:
    """Only what the caller gave: optional parameters left out stay out of the body."""
    return {key: value for key, value in body.items() if value is not None}


def _as_date(value: date, *, field: str) -> date:
    if isinstance(value, datetime):
        # A moment becomes the provider's calendar day, where its dates live.
        return aware(value, field=field).astimezone(PROVIDER_ZONE).date()
    if not isinstance(value, date):
        raise invalid(field, "must be a date")
    return value
