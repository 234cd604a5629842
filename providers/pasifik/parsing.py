"""Reading Pasifik answers: each endpoint's time format, as field types of the schema models.

The document's drifting types (counts as ``"4"`` here and ``4`` there, costs as
``"0.024"`` or ``1.0``) are read by ``providers.schema``; what is Pasifik's own
is here: its three time formats, Asterisk's durations and ``uniqueid``. A value
that cannot be read raises ValueError, which ``providers.schema.read`` reports
as UnexpectedResponse naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, ValidationInfo

from ..errors import UnexpectedResponse
from ..schema import to_text, zone_of

PROVIDER = "pasifik"

# The document gives no zone for its "12.03.2016 - 19:58" times (SMS and fax
# reports, fax inbox): they are the provider's wall clock in Turkey.
# See docs/providers.md.
PROVIDER_ZONE = ZoneInfo("Europe/Istanbul")

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


def parse_report_time(value: Any) -> datetime | None:
    """``"12.03.2016 - 19:58"`` (SMS and fax reports, fax inbox), read in Europe/Istanbul."""
    return _parse_local(value, formats=_REPORT_FORMATS, expected="a time like 12.03.2016 - 19:58")


def parse_cdr_time(value: Any, info: ValidationInfo) -> datetime | None:
    """``"2016-11-20 11:33:10"`` (PBX CDR ``calldate``): the PBX's wall clock, read in the read's ``zone``.

    The document's example puts ``calldate`` two hours after the Unix time in
    its ``uniqueid``: local time, not the UTC of the CDR filters. The zone is
    the Pasifik account's ``pbx_zone`` option (docs/providers.md).
    """
    expected = "a time like 2016-11-20 11:33:10"
    return _parse_local(value, formats=_CDR_FORMATS, expected=expected, zone=zone_of(info))


def parse_gmt_stamp(value: Any) -> datetime | None:
    """``"11:57:29.000 GMT Fri Dec 11 2015"`` (telephone history): explicitly UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = " ".join(str(value).split())
    match = _GMT_STAMP.match(text)
    if match is None:
        iso = _parse_iso(text, zone=UTC)
        if iso is None:
            raise ValueError("expected a time like 11:57:29.000 GMT Fri Dec 11 2015")
        return iso
    month = _MONTHS.get(match["mon"].lower())
    if month is None:
        raise ValueError("expected an English month abbreviation")
    micro = int((match["frac"] or "0").ljust(6, "0")[:6])
    try:
        return datetime(
            int(match["year"]), month, int(match["day"]),
            int(match["h"]), int(match["m"]), int(match["s"]), micro, tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        raise ValueError("expected a valid date") from None


def parse_epoch_uniqueid(value: Any) -> datetime | None:
    """Asterisk's ``uniqueid`` (``"1479634390.36435"``) starts with the call's Unix time: exact, zone-free.

    A PBX with ``systemname`` set prefixes it (``"pbx1-1479634390.36435"``).
    """
    head = to_text(value).strip().rpartition("-")[2].partition(".")[0]
    if not head.isdigit() or not 9 <= len(head) <= 10:
        return None
    return datetime.fromtimestamp(int(head), tz=UTC)


def parse_hms(value: Any) -> timedelta:
    """``"00:08:57"`` (active call duration) as a timedelta."""
    text = to_text(value).strip()
    if not text:
        return timedelta(0)
    match = _HMS.match(text)
    if match is None:
        raise ValueError("expected a duration like 00:03:23")
    return timedelta(days=int(match["d"] or 0), hours=int(match["h"]), minutes=int(match["m"]), seconds=int(match["s"]))


def require_list(value: Any, *, what: str) -> list[Any]:
    """A list; a single object is read as a list of one (the provider sometimes unwraps)."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    raise UnexpectedResponse(f"{what}: expected a list, got {type(value).__name__}", provider=PROVIDER)


def _parse_local(
    value: Any, *, formats: tuple[str, ...], expected: str, zone: tzinfo = PROVIDER_ZONE
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
        raise ValueError(f"expected {expected}")
    return iso


def _parse_iso(text: str, *, zone: tzinfo = PROVIDER_ZONE) -> datetime | None:
    """ISO 8601 as a fallback; a naive one is read in the endpoint's zone."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


# The field types of the three time formats, and of Asterisk's durations.
ReportTime = Annotated[datetime | None, BeforeValidator(parse_report_time)]
GmtStamp = Annotated[datetime | None, BeforeValidator(parse_gmt_stamp)]
CdrTime = Annotated[datetime | None, BeforeValidator(parse_cdr_time)]  # read with context={"zone": the PBX's}
Hms = Annotated[timedelta, BeforeValidator(parse_hms)]
