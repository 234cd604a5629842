"""Client for Verimor Bulutsantralim's fax API (``verimor-bulutsantralim-fax-api.md`` and NOTES.md).

Authentication is an API key: in the query string of a GET, and in both the
form body and the query string of a POST. Errors are plain-text 400 bodies;
``Gecersiz anahtar: …`` means the key was refused.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import requests
from pydantic import BeforeValidator, Field

from .errors import AuthenticationFailed, InvalidRequest, ProviderError
from .files import Download, sniff_media_type
from .paging import MAX_PAGES, paginate
from .ratelimit import RateLimiter
from .records import OnSkip, SkippedRecord
from .schema import Count, Key, LocalTime, MaybeInt, Record, Text, int_or_none, read, read_list
from .transport import DEFAULT_TIMEOUT, NoAuth, Redactor, Transport, default_error_parser
from .urlsafety import UrlGuard

DOC = "verimor-bulutsantralim-fax-api.md"
MAX_WINDOW = timedelta(days=31)
MIN_LIMIT, MAX_LIMIT = 10, 100
# NOTES.md: "2 requests per second, burst 10, then 429". Half the burst leaves room for a clock that
# does not tick exactly like the provider's, and for another worker with the same key.
RATE_PER_SECOND, BURST = 2.0, 5
DIRECTIONS = {"gelen": "inbound", "giden": "outbound", "santral içi": "internal", "santral ici": "internal"}
ORDER_STATUSES = {"bekliyor": "pending", "gönderiliyor": "sending", "gonderiliyor": "sending"}
_BAD_KEY = re.compile(r"^\s*(gecersiz|geçersiz)\s+anahtar", re.IGNORECASE)
_FIELD_MESSAGES = [
    (re.compile(r"base64", re.IGNORECASE), "filedata"),
    (re.compile(r"call_uuid", re.IGNORECASE), "call_uuid"),
    (re.compile(r"local_station_header", re.IGNORECASE), "local_station_header"),
    (re.compile(r"local_station_id", re.IGNORECASE), "local_station_id"),
    (re.compile(r"remote_station_id", re.IGNORECASE), "remote_station_id"),
    (re.compile(r"tarih|start_stamp", re.IGNORECASE), "start_stamp_from"),
    (re.compile(r"direction", re.IGNORECASE), "direction"),
]


def _bool_or_none(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if isinstance(value, int):
        return bool(value)
    return None


class Pagination(Record):
    page: Annotated[int, BeforeValidator(lambda value: value or 1)] = 1
    total_count: Count = 0
    total_pages: Count = 0
    limit: Annotated[int, BeforeValidator(lambda value: value or MIN_LIMIT)] = MIN_LIMIT


class FaxOrder(Record):
    """A fax not yet sent (``GET /fax_orders``)."""

    id: int
    created_at: LocalTime = None
    local_station_id: Text = ""
    remote_station_id: Text = ""
    raw_status: Text = Field("", alias="status")  # "Bekliyor"

    @property
    def status(self) -> str:
        """Normalized: pending or sending."""
        return ORDER_STATUSES.get(self.raw_status.strip().lower(), "pending")


class FaxOrderPage(Record):
    orders: list[FaxOrder]
    pagination: Pagination | None  # None when the provider answered a bare array


class Fdr(Record):
    """A fax detail record (``GET /fdrs``): a fax sent, received or internal."""

    call_uuid: Key
    raw_direction: Text = Field("", alias="direction")  # "Gelen", "Giden", "Santral içi"
    caller_id_number: Text = ""
    local_station_header: Text = ""
    original_destination: Text = ""
    pages_count: Text = ""  # raw, e.g. "1 / 2"
    transfer_rate: MaybeInt = None
    start_stamp: LocalTime = None
    answer_stamp: LocalTime = None
    end_stamp: LocalTime = None
    duration: MaybeInt = None
    success: Annotated[bool | None, BeforeValidator(_bool_or_none)] = None
    raw_result: Text = Field("", alias="result")  # "Başarılı", ...

    @property
    def direction(self) -> str:
        """Normalized: inbound, outbound, internal, unknown."""
        return DIRECTIONS.get(self.raw_direction.strip().lower(), "unknown")

    @property
    def status(self) -> str:
        """From ``success``: delivered (or received), failed, unknown."""
        if self.success is None:
            return "unknown"
        if not self.success:
            return "failed"
        return "received" if self.direction == "inbound" else "delivered"

    @property
    def pages_sent(self) -> int | None:
        return int_or_none(self.pages_count.partition("/")[0])

    @property
    def pages_total(self) -> int | None:
        return int_or_none(self.pages_count.partition("/")[2])


class FdrPage(Record):
    fdrs: list[Fdr]
    pagination: Pagination


class _VerimorTransport(Transport):
    def error_for_status(
        self,
        status: int,
        message: str,
        field_errors: dict[str, list[str]] | None = None,
        *,
        retry_after: str | None = None,
    ) -> ProviderError:
        if status == 400 and _BAD_KEY.match(message):
            return AuthenticationFailed(self.redactor(message), status_code=status, provider=self.provider)
        return super().error_for_status(status, message, field_errors, retry_after=retry_after)


def _error_parser(response: requests.Response) -> tuple[str, dict[str, list[str]]]:
    message, field_errors = default_error_parser(response)
    if response.status_code == 400 and not field_errors:
        for pattern, name in _FIELD_MESSAGES:
            if pattern.search(message):
                field_errors = {name: [message]}
                break
    return message, field_errors


class VerimorClient:
    provider = "verimor"

    def __init__(
        self,
        *,
        key: str,
        base_url: str = "https://api.bulutsantralim.com",
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        guard: UrlGuard | None = None,
    ) -> None:
        """``sleep`` and ``monotonic`` drive the retry waits and the rate limiter (2 requests/s)."""
        self._key = key
        self._clock = clock
        self.redactor = Redactor([key])
        self.transport = _VerimorTransport(
            base_url=base_url,
            provider=self.provider,
            auth=NoAuth(),
            timeout=timeout,
            redactor=self.redactor,
            error_parser=_error_parser,
            session=session or requests.Session(),
            sleep=sleep,
            guard=guard,
            limiter=RateLimiter(rate=RATE_PER_SECOND, burst=BURST, clock=monotonic, sleep=sleep),
        )

    # --- endpoints -----------------------------------------------------------

    # Reference: verimor-bulutsantralim-fax-api.md, "Tamamlanmamış Gönderimler Listesine Erişim Örneği"
    def fax_orders(
        self, *, page: int | None = None, limit: int | None = None, on_skip: OnSkip | None = None
    ) -> FaxOrderPage:
        """Faxes not yet sent. The 2018 document answers a bare array, the current one a page.

        An order that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        params: dict[str, Any] = {"key": self._key}
        if page is not None:
            params["page"] = int(page)
        if limit is not None:
            params["limit"] = _checked_limit(limit)
        body = self.transport.json(self.transport.request("GET", "/fax_orders", read=True, params=params))
        if isinstance(body, list):
            items, pagination = body, None
        elif isinstance(body, Mapping) and isinstance(body.get("fax_orders"), list):
            items, pagination = body["fax_orders"], self._pagination(body.get("pagination"))
        else:
            raise self.transport.unexpected("fax_orders answer is neither a list nor {fax_orders, pagination}")
        orders = read_list(FaxOrder, items, transport=self.transport, what="fax orders", on_skip=on_skip)
        return FaxOrderPage(orders=orders, pagination=pagination)

    # Reference: verimor-bulutsantralim-fax-api.md, "Faks Listesine Erişim örneği"
    def fdrs(
        self,
        *,
        start_stamp_from: datetime | None = None,
        start_stamp_to: datetime | None = None,
        direction: str | None = None,
        caller_id_number: str | None = None,
        original_destination: str | None = None,
        success: bool | None = None,
        limit: int | None = None,
        page: int | None = None,
        on_skip: OnSkip | None = None,
    ) -> FdrPage:
        """One page of fax detail records; ``direction`` is inbound, outbound or internal.

        A record that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        params = self._fdr_params(
            start_stamp_from=start_stamp_from,
            start_stamp_to=start_stamp_to,
            direction=direction,
            caller_id_number=caller_id_number,
            original_destination=original_destination,
            success=success,
            limit=limit,
        )
        if page is not None:
            params["page"] = int(page)
        body = self.transport.json(self.transport.request("GET", "/fdrs", read=True, params=params))
        if not isinstance(body, Mapping) or not isinstance(body.get("fdrs"), list):
            raise self.transport.unexpected("fdrs answer without an fdrs list")
        pagination = self._pagination(body.get("pagination"))
        if pagination is None:
            raise self.transport.unexpected("fdrs answer without pagination")
        fdrs = read_list(
            Fdr, body["fdrs"], transport=self.transport, what="fax records", id_keys=("call_uuid",), on_skip=on_skip
        )
        return FdrPage(fdrs=fdrs, pagination=pagination)

    # Reference: NOTES.md, "Verimor Bulutsantralim" (page, limit, pagination)
    def iter_fax_orders(
        self, *, limit: int = MAX_LIMIT, max_pages: int = MAX_PAGES, on_skip: OnSkip | None = None
    ) -> Iterator[FaxOrder]:
        """Every pending order, page after page (one page when the provider answers a bare array)."""

        def fetch(page: int) -> tuple[list[FaxOrder], int | None]:
            skipped: list[SkippedRecord] = []
            result = self.fax_orders(page=page, limit=limit, on_skip=skipped.append)
            for record in skipped:
                if on_skip is not None:
                    on_skip(record)
            # A page whose records were all skipped is not the end of the list.
            last = result.pagination is None or page >= result.pagination.total_pages or not (result.orders or skipped)
            return result.orders, None if last else page + 1

        yield from paginate(fetch, first=1, provider=self.provider, what="fax orders", max_pages=max_pages)

    # Reference: verimor-bulutsantralim-fax-api.md, "Faks Listesine Erişim örneği" (page, total_pages)
    def iter_fdrs(
        self, *, limit: int = MAX_LIMIT, max_pages: int = MAX_PAGES, on_skip: OnSkip | None = None, **filters: Any
    ) -> Iterator[Fdr]:
        """Every record matching ``filters`` (those of :meth:`fdrs`), ``limit`` (100 at most) a page."""
        filters.pop("page", None)

        def fetch(page: int) -> tuple[list[Fdr], int | None]:
            skipped: list[SkippedRecord] = []
            result = self.fdrs(page=page, limit=limit, on_skip=skipped.append, **filters)
            for record in skipped:
                if on_skip is not None:
                    on_skip(record)
            # A page whose records were all skipped is not the end of the list.
            last = page >= result.pagination.total_pages or not (result.fdrs or skipped)
            return result.fdrs, None if last else page + 1

        yield from paginate(fetch, first=1, provider=self.provider, what="fax records", max_pages=max_pages)

    # Reference: verimor-bulutsantralim-fax-api.md, "Faks Gönderimi"
    def fax_send(
        self,
        *,
        local_station_header: str,
        remote_station_id: str,
        content: bytes,
        media_type: str | None = None,
        local_station_id: str | None = None,
    ) -> int:
        """Sends a document; returns the order id. ``media_type`` defaults to what the content is."""
        errors: dict[str, list[str]] = {}
        if not local_station_header.strip():
            errors["local_station_header"] = ["required"]
        if not remote_station_id.strip():
            errors["remote_station_id"] = ["required"]
        media_type = media_type or sniff_media_type(content)
        if not content or media_type is None:
            errors["filedata"] = ["unknown file type"]
        if errors:
            raise InvalidRequest("the fax cannot be sent as it is", field_errors=errors, provider=self.provider)
        form = {
            "key": self._key,
            "local_station_header": local_station_header.strip(),
            "remote_station_id": remote_station_id.strip(),
            "filedata": f"data:{media_type};base64," + base64.b64encode(content).decode("ascii"),
        }
        if local_station_id:
            form["local_station_id"] = local_station_id.strip()
        response = self.transport.request("POST", "/fax_orders", read=False, params={"key": self._key}, data=form)
        text = response.text.strip()
        if not text.isdigit():
            raise self.transport.unexpected(f"fax_orders answered {text[:60]!r} instead of an id")
        return int(text)

    # Reference: NOTES.md, "Verimor Bulutsantralim" (POST /fax_document_url/)
    def fax_document_url(self, call_uuid: str) -> str:
        """A URL of the fax's PDF/TIFF, valid for one hour."""
        response = self.transport.request(
            "POST",
            "/fax_document_url/",
            read=True,  # a POST only in form: it changes nothing, so it is retried like a read
            params={"key": self._key},
            data={"key": self._key, "call_uuid": call_uuid},
        )
        url = response.text.strip()
        if not url.startswith(("http://", "https://")):
            raise self.transport.unexpected(f"fax_document_url answered {url[:60]!r} instead of a URL")
        return url

    # Reference: NOTES.md, "Verimor Bulutsantralim" ("a GET of that URL returns the PDF/TIFF")
    def fax_document(self, url: str) -> Download:
        """Downloads (streamed) a document from a URL :meth:`fax_document_url` gave."""
        response = self.transport.request("GET", url, read=True, stream=True, authenticated=False, absolute=True)
        return Download(response, provider=self.provider)

    # --- building requests and reading answers ----------------------------------------

    def _fdr_params(
        self,
        *,
        start_stamp_from: datetime | None,
        start_stamp_to: datetime | None,
        direction: str | None,
        caller_id_number: str | None,
        original_destination: str | None,
        success: bool | None,
        limit: int | None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"key": self._key}
        if start_stamp_from is not None:
            lower = _aware(start_stamp_from)
            upper = _aware(start_stamp_to) if start_stamp_to is not None else self._clock()
            if upper < lower:
                raise InvalidRequest(
                    "the date range ends before it starts",
                    field_errors={"start_stamp_to": ["before start_stamp_from"]},
                    provider=self.provider,
                )
            if upper - lower > MAX_WINDOW:
                raise InvalidRequest(
                    "the date range cannot be longer than 31 days",
                    field_errors={"start_stamp_to": ["more than 31 days after start_stamp_from"]},
                    provider=self.provider,
                )
            params["start_stamp_from"] = _utc_filter(lower)
        if start_stamp_to is not None:
            params["start_stamp_to"] = _utc_filter(_aware(start_stamp_to))
        if direction is not None:
            if direction not in ("inbound", "outbound", "internal"):
                raise ValueError(f"direction must be inbound, outbound or internal, not {direction!r}")
            params["direction"] = direction
        if caller_id_number:
            params["caller_id_number"] = caller_id_number
        if original_destination:
            params["original_destination"] = original_destination
        if success is not None:
            params["success"] = "true" if success else "false"
        if limit is not None:
            params["limit"] = _checked_limit(limit)
        return params

    def _pagination(self, value: Any) -> Pagination | None:
        if not isinstance(value, Mapping):
            return None
        return read(Pagination, value, transport=self.transport, what="pagination")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("filter times must be timezone-aware")
    return moment


def _utc_filter(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _checked_limit(limit: int) -> int:
    if not MIN_LIMIT <= int(limit) <= MAX_LIMIT:
        raise InvalidRequest(
            f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}",
            field_errors={"limit": [f"between {MIN_LIMIT} and {MAX_LIMIT}"]},
            provider="verimor",
        )
    return int(limit)
