"""Provider records -> CallRecord fields. Pure functions: no database, no provider calls."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from providers.pasifik.models import PbxCdr, TelCall

from .models import Direction, Disposition, Source
from .numbers import EXTENSION_MAX_DIGITS, normalize_number

# Q.850 cause 17 is "user busy"; every other non-zero tel/history result is a failure.
_TEL_BUSY_RESULTS = {17}
_PBX_DISPOSITIONS = {
    "ANSWERED": Disposition.ANSWERED,
    "NO ANSWER": Disposition.NO_ANSWER,
    "BUSY": Disposition.BUSY,
    "FAILED": Disposition.FAILED,
    "CONGESTION": Disposition.FAILED,
}


def _jsonable(raw: Any) -> dict[str, Any]:
    """The raw record as JSON-safe data (Decimals and datetimes as text)."""
    return json.loads(json.dumps(dict(raw), cls=DjangoJSONEncoder))


def tel_fields(call: TelCall) -> dict[str, Any] | None:
    """One ``tel/history`` CDR; None when it carries no time at all (nothing to place it by)."""
    start = call.connect_time or call.setup_time
    if start is None or call.i_cdr is None:
        return None
    duration = round(call.duration)
    if call.result != 0:
        disposition = Disposition.BUSY if call.result in _TEL_BUSY_RESULTS else Disposition.FAILED
    else:
        disposition = Disposition.ANSWERED if duration > 0 else Disposition.NO_ANSWER
    return {
        "source": Source.TELEPHONE,
        "provider_id": str(call.i_cdr),
        "start": start,
        "answer": call.connect_time if duration > 0 else None,
        "end": call.disconnect_time,
        "duration": duration,
        "billed_seconds": max(call.billed_duration, 0),
        "caller": normalize_number(call.cli_in or call.cli),
        "callee": normalize_number(call.cld_in or call.cld),
        # A telephone account's history lists the calls it placed.
        "direction": Direction.OUTGOING,
        "disposition": disposition,
        "result": str(call.result),
        "cost": call.cost,
        "country": call.country[:64],
        "description": call.description[:200],
        "recording_name": "",
        "has_recording": False,
        "raw": _jsonable(call.raw),
    }


def pbx_direction(cdr: PbxCdr) -> str:
    src_internal = cdr.src.isdigit() and len(cdr.src) <= EXTENSION_MAX_DIGITS
    dst_internal = cdr.dst.isdigit() and len(cdr.dst) <= EXTENSION_MAX_DIGITS
    if cdr.did or not src_internal:
        return Direction.INCOMING
    if src_internal and dst_internal:
        return Direction.INTERNAL
    return Direction.OUTGOING


def pbx_fields(cdr: PbxCdr) -> dict[str, Any] | None:
    """One ``pbx/cdr`` record. ``start`` is the Unix time in ``uniqueid`` (exact), else ``calldate``
    read in the PBX's zone (docs/providers.md); a recording download asks for its day in that zone."""
    start = cdr.start
    if start is None or not cdr.uniqueid:
        return None
    duration, billsec = max(cdr.duration, 0), max(cdr.billsec, 0)
    answered = billsec > 0 or cdr.disposition.upper() == "ANSWERED"
    answer: datetime | None = start + timedelta(seconds=duration - billsec) if answered else None
    return {
        "source": Source.PBX,
        "provider_id": cdr.uniqueid,  # made to fit its column, uniquely, when written
        "start": start,
        "answer": answer,
        "end": start + timedelta(seconds=duration),
        "duration": duration,
        "billed_seconds": billsec,
        "caller": normalize_number(cdr.src),
        "callee": normalize_number(cdr.dst),
        "direction": pbx_direction(cdr),
        "disposition": _PBX_DISPOSITIONS.get(cdr.disposition.upper(), Disposition.FAILED),
        "result": cdr.disposition[:32],
        "cost": None,
        "country": "",
        "description": cdr.dcontext[:200],
        "recording_name": cdr.recordingfile[:255],
        "has_recording": cdr.has_recording,
        "raw": _jsonable(cdr.raw),
    }
