"""Reading provider answers with pydantic models: drifting types coerced once, one error for what cannot be read.

A provider's record is a :class:`Record` (a frozen pydantic model) whose fields say what they hold; the
field types below read the drift the documents show (counts as ``"4"`` or ``4``, costs as ``"0.024"`` or
``1.0``, ``null`` for an empty text). :func:`read` turns a record that cannot be read into
UnexpectedResponse naming the field, and :func:`read_list` reads a list record by record through
``providers.records`` (one record that cannot be read is skipped, never the whole list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .records import OnSkip, read_each
from .transport import Transport

R = TypeVar("R", bound="Record")

ISTANBUL = ZoneInfo("Europe/Istanbul")  # the zone of the Turkish providers' wall clocks
_TRUE = frozenset({"true", "1", "yes", "y", "on", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "f", ""})


class Record(BaseModel):
    """One record of a provider's answer: frozen, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class RawRecord(Record):
    """A record that also keeps what the provider sent (``raw``), for the fields the portal does not model yet."""

    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _keep_raw(cls, data: Any) -> Any:
        return {**data, "raw": dict(data)} if isinstance(data, Mapping) else data


def read(model: type[R], data: Any, *, transport: Transport, what: str, context: Mapping[str, Any] | None = None) -> R:
    """``data`` as a ``model``; UnexpectedResponse (redacted, naming the field) when it cannot be read."""
    if not isinstance(data, Mapping):
        raise transport.unexpected(f"{what}: expected an object, got {type(data).__name__}")
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise transport.unexpected(f"{what}: {_first_error(exc)}") from None


def read_list(
    model: type[R],
    items: Iterable[Any],
    *,
    transport: Transport,
    what: str,
    id_keys: tuple[str, ...] = ("id",),
    on_skip: OnSkip | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[R]:
    """Each item as a ``model``; one that cannot be read is skipped and reported (``providers.records``)."""
    return read_each(
        items,
        lambda item: read(model, item, transport=transport, what=what, context=context),
        provider=transport.provider,
        what=what,
        id_keys=id_keys,
        on_skip=on_skip,
    )


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in error["loc"]) or "record"
    shown = repr(error.get("input"))
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"field {field!r}: {message}, got {shown}"


# --- the field types ---------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def blank_as(default: Any) -> Callable[[Any], Any]:
    """``null`` and blank text read as ``default`` (the providers send both for "nothing")."""
    return lambda value: default if _blank(value) else value


def to_text(value: Any) -> str:
    """Text as given; numbers and booleans as their text, ``null`` as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def not_bool(value: Any) -> Any:
    """``true`` is not a number, whatever Python says."""
    if isinstance(value, bool):
        raise ValueError("expected a number")
    return value


def _money(value: Any) -> Any:
    if _blank(value):
        return Decimal(0)
    return value.strip().replace(",", ".") if isinstance(value, str) else not_bool(value)


def _flag(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError("expected a boolean")


def int_or_none(value: Any) -> int | None:
    """An integer, or None for anything that is not one (never raises): for fields that are only informative."""
    if isinstance(value, bool) or _blank(value):
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def _optional_text(value: Any) -> str | None:
    return None if value is None else to_text(value)


def _int_list(value: Any) -> Any:
    if _blank(value):
        return ()
    return [part for part in value.split(",") if part.strip()] if isinstance(value, str) else value


# Text as given; numbers and booleans as their text, ``null`` as "".
Text = Annotated[str, BeforeValidator(to_text)]
# An id a record cannot do without: ``123456`` or ``"123456"``.
Id = Annotated[int, BeforeValidator(not_bool)]
# An integer: ``4``, ``"4"``, ``4.0``, ``"4.0"``; ``null`` or blank is 0 (or None for OptionalInt).
Count = Annotated[int, BeforeValidator(not_bool), BeforeValidator(blank_as(0))]
OptionalInt = Annotated[int | None, BeforeValidator(not_bool), BeforeValidator(blank_as(None))]
Number = Annotated[float, BeforeValidator(not_bool), BeforeValidator(blank_as(0.0))]
# Money: ``"0.024"``, ``0.024`` and ``"0,024"`` are Decimal("0.024"), never a binary float; blank is 0.
Money = Annotated[Decimal, Field(allow_inf_nan=False), BeforeValidator(_money)]
# ``true``, ``"true"``, ``1``, ``"yes"`` (Asterisk) and their opposites; ``null`` or blank is False.
Flag = Annotated[bool, BeforeValidator(_flag)]
# An integer when it reads as one, else None (never fails the record).
MaybeInt = Annotated[int | None, BeforeValidator(int_or_none)]
# Text, or None for ``null``.
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
# Text that must be there: an id such as a uuid.
Key = Annotated[str, Field(min_length=1), BeforeValidator(to_text)]
# ``[252, "230"]`` or ``"252,230"``.
IntList = Annotated[tuple[int, ...], BeforeValidator(_int_list)]


def zone_of(info: ValidationInfo) -> tzinfo:
    """The time zone the read was given (``read(..., context={"zone": ...})``), else Europe/Istanbul."""
    zone = info.context.get("zone") if isinstance(info.context, Mapping) else None
    return zone if isinstance(zone, tzinfo) else ISTANBUL


def _local_time(value: Any, info: ValidationInfo) -> datetime | None:
    if _blank(value):
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.removesuffix(" UTC").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("unreadable time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC if text.endswith(" UTC") else zone_of(info))
    return parsed


# A time such as ``2021-12-03 11:13:46`` (ISO 8601, or with a trailing `` UTC``); blank is None. Without an
# offset it is the provider's wall clock, read in the zone the read was given (``zone_of``).
LocalTime = Annotated[datetime | None, BeforeValidator(_local_time)]
