"""Reading Pasifik answers: coercion of drifting types and each endpoint's time format.

The document's types drift (counts as ``"4"`` here and ``4`` there, costs as
``"0.024"`` or ``1.0``, ids as strings or integers), so every value is coerced
on the way in. A value that cannot be read raises UnexpectedResponse naming the
field, never a bare ``ValueError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import UnexpectedResponse

PROVIDER = "pasifik"

# The document gives no zone for its "12.03.2016 - 19:58" times (SMS and fax
# reports, fax inbox): they are the provider's wall clock in Turkey.
# See docs/providers.md.
PROVIDER_ZONE = ZoneInfo("Europe/Istanbul")

_TRUE = {"true", "1", "yes", "y", "on", "t"}
_FALSE = {"false", "0", "no", "n", "off", "f", ""}
_MONTHS = {
    month: number
    for number, month in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}

# "11:57:29.000 GMT Fri Dec 11 2015" (telephone history, PortaBilling style).
_GMT_STAMP = re.compile(
    r"^(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.(?P<frac>\d{1,6}))?\s+(?P<zone>GMT|UTC|Z)\s+"
    r"(?:[A-Za-z]{3}\s+)?(?P<mon>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+(?P<year>\d{4})$"
)
# Day-first report times: "12.03.2016 - 19:58", also without the dash or with seconds.
_REPORT_FORMATS = ("%d.%m.%Y - %H:%M", "%d.%m.%Y - %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")
_CDR_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_HMS = re.compile(r"^(?:(?P<d>\d+)\s*d(?:ays?)?,?\s*)?(?P<h>\d+):(?P<m>\d{1,2}):(?P<s>\d{1,2})$")


def unexpected(field: str, value: Any, expected: str) -> UnexpectedResponse:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return UnexpectedResponse(f"field {field!r}: expected {expected}, got {shown}", provider=PROVIDER)


def as_str(value: Any) -> str:
    """Text as given; ``None`` becomes an empty string (the provider sends both)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_int(value: Any, *, field: str, default: int | None = 0) -> int:
    """``4``, ``"4"``, ``4.0`` and ``"4.0"`` alike; ``None``/``""`` give ``default``."""
    optional = as_optional_int(value, field=field)
    if optional is not None:
        return optional
    if default is None:
        raise unexpected(field, value, "an integer")
    return default


def as_optional_int(value: Any, *, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise unexpected(field, value, "an integer")
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise unexpected(field, value, "an integer") from None
    if number != number.to_integral_value():
        raise unexpected(field, value, "an integer")
    return int(number)


def as_float(value: Any, *, field: str, default: float = 0.0) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise unexpected(field, value, "a number")
    try:
        return float(str(value).strip())
    except ValueError:
        raise unexpected(field, value, "a number") from None


def as_decimal(value: Any, *, field: str, default: Decimal = Decimal("0")) -> Decimal:
    """Money: ``"0.024"`` and ``0.024`` both become ``Decimal("0.024")``, never a binary float."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise unexpected(field, value, "an amount")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise unexpected(field, value, "an amount") from None
    if not amount.is_finite():
        raise unexpected(field, value, "an amount")
    return amount


def as_bool(value: Any, *, field: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise unexpected(field, value, "a boolean")


def as_int_list(value: Any, *, field: str) -> tuple[int, ...]:
    """``[252, "230"]`` or ``"252,230"`` become ``(252, 230)``."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list | tuple):
        raise unexpected(field, value, "a list of integers")
    return tuple(as_int(item, field=field, default=None) for item in value)


def parse_report_time(value: Any, *, field: str) -> datetime | None:
    """``"12.03.2016 - 19:58"`` (SMS and fax reports, fax inbox), read in Europe/Istanbul."""
    return _parse_local(value, field=field, formats=_REPORT_FORMATS, expected="a time like 12.03.2016 - 19:58")


def parse_cdr_time(value: Any, *, field: str, zone: tzinfo = PROVIDER_ZONE) -> datetime | None:
    """``"2016-11-20 11:33:10"`` (PBX CDR ``calldate``): the PBX's wall clock, read in ``zone``.

    The document's example puts ``calldate`` two hours after the Unix time in
    its ``uniqueid``: local time, not the UTC of the CDR filters. The zone is
    the Pasifik account's ``pbx_zone`` option (docs/providers.md).
    """
    return _parse_local(value, field=field, formats=_CDR_FORMATS, expected="a time like 2016-11-20 11:33:10", zone=zone)


def parse_gmt_stamp(value: Any, *, field: str) -> datetime | None:
    """``"11:57:29.000 GMT Fri Dec 11 2015"`` (telephone history): explicitly UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = " ".join(str(value).split())
    match = _GMT_STAMP.match(text)
    if match is None:
        iso = _parse_iso(text, zone=UTC)
        if iso is None:
            raise unexpected(field, value, "a time like 11:57:29.000 GMT Fri Dec 11 2015")
        return iso
    month = _MONTHS.get(match["mon"].lower())
    if month is None:
        raise unexpected(field, value, "an English month abbreviation")
    micro = int((match["frac"] or "0").ljust(6, "0")[:6])
    try:
        return datetime(
            int(match["year"]), month, int(match["day"]),
            int(match["h"]), int(match["m"]), int(match["s"]), micro, tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        raise unexpected(field, value, "a valid date") from None


def parse_epoch_uniqueid(value: Any) -> datetime | None:
    """Asterisk's ``uniqueid`` (``"1479634390.36435"``) starts with the call's Unix time: exact, zone-free.

    A PBX with ``systemname`` set prefixes it (``"pbx1-1479634390.36435"``).
    """
    head = as_str(value).strip().rpartition("-")[2].partition(".")[0]
    if not head.isdigit() or not 9 <= len(head) <= 10:
        return None
    return datetime.fromtimestamp(int(head), tz=UTC)


def parse_hms(value: Any, *, field: str) -> timedelta:
    """``"00:08:57"`` (active call duration) as a timedelta."""
    text = as_str(value).strip()
    if not text:
        return timedelta(0)
    match = _HMS.match(text)
    if match is None:
        raise unexpected(field, value, "a duration like 00:03:23")
    return timedelta(days=int(match["d"] or 0), hours=int(match["h"]), minutes=int(match["m"]), seconds=int(match["s"]))


def require_mapping(value: Any, *, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UnexpectedResponse(f"{what}: expected an object, got {type(value).__name__}", provider=PROVIDER)
    return value


def require_list(value: Any, *, what: str) -> list[Any]:
    """A list; a single object is read as a list of one (the provider sometimes unwraps)."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    raise UnexpectedResponse(f"{what}: expected a list, got {type(value).__name__}", provider=PROVIDER)


def _parse_local(
    value: Any, *, field: str, formats: tuple[str, ...], expected: str, zone: tzinfo = PROVIDER_ZONE
) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = " ".join(str(value).split())
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    iso = _parse_iso(text, zone=zone)
    if iso is None:
        raise unexpected(field, value, expected)
    return iso


def _parse_iso(text: str, *, zone: tzinfo = PROVIDER_ZONE) -> datetime | None:
    """ISO 8601 as a fallback; a naive one is read in the endpoint's zone."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
