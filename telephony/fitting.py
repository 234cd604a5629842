"""Provider values fitted to our columns before they are written.

A provider may send anything (a 300-character caller number, a cost of 1e15):
text is cut to its column, a cost out of range is dropped, and a record whose
duration cannot be stored is rejected. The record as received stays in ``raw``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any

from django.db import models

from .models import CallRecord

# PositiveIntegerField is a 4-byte integer on PostgreSQL.
MAX_SECONDS = 2**31 - 1
# Part of every record's raw digest (services.raw_digest): a change to the rules below that stores other values
# for the same provider record must change this, or a re-import would skip the records it should fit again.
RULES_VERSION = 1


class RecordRejected(ValueError):
    """A record that cannot be stored even after fitting: a reason code, the column and the value (for people)."""

    def __init__(self, code: str, field: str = "", value: Any = "") -> None:
        self.code, self.field, self.value = code, field, str(value)[:40]
        super().__init__(f"{field} {code}: {self.value}" if field else code)


@cache
def _fields() -> dict[str, models.Field[Any, Any]]:
    return {field.name: field for field in CallRecord._meta.concrete_fields}


def _text(value: Any, max_length: int | None) -> str:
    if type(value) is str and "\x00" not in value and (not max_length or len(value) <= max_length):
        return value  # most values: already a text that fits
    text = "" if value is None else str(value)
    text = text.replace("\x00", "")  # PostgreSQL refuses NUL in text
    return text[:max_length] if max_length else text


def unique_id(value: Any, max_length: int) -> str:
    """A provider id that fits its column and stays unique: a longer one keeps a prefix plus a hash of the whole."""
    text = _text(value, None)
    if len(text) <= max_length:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{text[: max_length - len(digest) - 1]}~{digest}"


def _seconds(name: str, value: Any) -> int:
    if type(value) is int and 0 <= value <= MAX_SECONDS:
        return value
    try:
        seconds = int(value or 0)
    except (TypeError, ValueError, OverflowError):
        raise RecordRejected("not_a_number", name, value) from None
    if not 0 <= seconds <= MAX_SECONDS:
        raise RecordRejected("out_of_range", name, seconds)
    return seconds


def _cost(value: Any, field: models.DecimalField[Any, Any]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or len(amount.as_tuple().digits) > field.max_digits:
        return None
    return amount


@cache
def _fitters() -> dict[str, Callable[[Any], Any]]:
    """Each fitted field's rule, by field name, chosen once instead of once per value."""
    fitters: dict[str, Callable[[Any], Any]] = {}
    for name, field in _fields().items():
        if name == "provider_id":
            fitters[name] = partial(unique_id, max_length=field.max_length or 64)
        elif isinstance(field, models.CharField):
            fitters[name] = partial(_text, max_length=field.max_length)
        elif isinstance(field, models.PositiveIntegerField):
            fitters[name] = partial(_seconds, name)
        elif isinstance(field, models.DecimalField):
            fitters[name] = partial(_cost, field=field)
    return fitters


def fit_to_columns(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` whose every value fits its CallRecord column; RecordRejected when one cannot."""
    fitters = _fitters()
    fitted = dict(row)
    for name, value in row.items():
        fit = fitters.get(name)
        if fit is not None:
            fitted[name] = fit(value)
    if not fitted.get("provider_id"):
        raise RecordRejected("no_id")
    return fitted


def record_key(row: dict[str, Any]) -> tuple[str, str]:
    """The (source, provider id) ``row`` is stored under, fitted as ``fit_to_columns`` fits them (without
    fitting the rest of the record); RecordRejected when it has no id."""
    fitters = _fitters()
    provider_id = fitters["provider_id"](row["provider_id"]) if "provider_id" in row else ""
    if not provider_id:
        raise RecordRejected("no_id")
    return fitters["source"](row["source"]), provider_id
