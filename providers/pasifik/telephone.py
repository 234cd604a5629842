"""Telephone: call history (CDRs), live calls, and cutting a live call."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ..paging import MAX_PAGES, paginate
from ..records import OnSkip
from . import validation as v
from .base import PasifikEndpoints
from .models import LiveCall, TelCall
from .parsing import PROVIDER, require_list
from .responses import raise_for_disconnect_result

DEFAULT_PAGE_SIZE = 500


class TelephoneEndpoints(PasifikEndpoints):
    # Reference: pasifik-telekom-api-v2.txt, "Call History"
    def tel_history(
        self,
        *,
        i_account: int,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        cli: str | None = None,
        cld: str | None = None,
        type: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
        on_skip: OnSkip | None = None,
    ) -> list[TelCall]:
        """CDRs of one telephone account. Filter times go out in UTC; ``cli``/``cld`` take ``%`` wildcards.

        A CDR that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        items = self._tel_history_items(
            i_account=i_account, start_date=start_date, end_date=end_date, cli=cli, cld=cld,
            type=type, offset=offset, limit=limit,
        )  # fmt: skip
        return self._read_list(TelCall, items, what="telephone history", id_keys=("i_cdr",), on_skip=on_skip)

    def _tel_history_items(
        self,
        *,
        i_account: int,
        start_date: datetime | None,
        end_date: datetime | None,
        cli: str | None,
        cld: str | None,
        type: str | None,
        offset: int | None,
        limit: int | None,
    ) -> list[Any]:
        body = _history_body(i_account=i_account, start_date=start_date, end_date=end_date, cli=cli, cld=cld, type=type)
        if offset is not None:
            body["offset"] = v.non_negative(offset, field="offset")
        if limit is not None:
            body["limit"] = v.positive(limit, field="limit")
        return require_list(self._post("tel/history/", body, read=True), what="telephone history")

    # Reference: pasifik-telekom-api-v2.txt, "Call History"
    def iter_tel_history(
        self,
        *,
        i_account: int,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        cli: str | None = None,
        cld: str | None = None,
        type: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        on_skip: OnSkip | None = None,
    ) -> Iterator[TelCall]:
        """Every matching CDR, fetched ``page_size`` at a time with ``offset``/``limit``.

        The paging guard stops (and logs) if the provider ignores ``offset``. A CDR that cannot be
        read is skipped and handed to ``on_skip``; the offsets still count it.
        """
        v.positive(page_size, field="page_size")

        def fetch(offset: int) -> tuple[list[TelCall], int | None]:
            items = self._tel_history_items(
                i_account=i_account, start_date=start_date, end_date=end_date, cli=cli, cld=cld,
                type=type, offset=offset, limit=page_size,
            )  # fmt: skip
            calls = self._read_list(TelCall, items, what="telephone history", id_keys=("i_cdr",), on_skip=on_skip)
            return calls, (offset + len(items) if len(items) >= page_size else None)

        yield from paginate(fetch, first=0, provider=PROVIDER, what="telephone history", max_pages=max_pages)

    # Reference: pasifik-telekom-api-v2.txt, "Call Live"
    def tel_live(self, *, i_account_list: Iterable[int]) -> list[LiveCall]:
        """Calls in progress on the given telephone accounts."""
        accounts = [v.positive_id(account, field="i_account_list") for account in i_account_list]
        if not accounts:
            raise v.invalid("i_account_list", "needs at least one telephone account")
        data = self._post("tel/live/", {"i_account_list": accounts}, read=True)
        return self._read_list(LiveCall, data, what="live calls")

    # Reference: pasifik-telekom-api-v2.txt, "Call Live Disconnect"
    def tel_live_disconnect(self, *, id: int | str) -> None:
        """Cuts one live call (``LiveCall.id``). Tried once; raises unless the provider says OK."""
        body = {"id": v.positive_id(id, field="id")}  # an integer here, a string in tel/live's answer
        raise_for_disconnect_result(self.transport, self._post("tel/live/disconnect/", body, read=False))


def _history_body(
    *,
    i_account: int,
    start_date: datetime | None,
    end_date: datetime | None,
    cli: str | None,
    cld: str | None,
    type: str | None,
) -> dict[str, Any]:
    v.time_range(start_date, end_date)
    return v.drop_none(
        {
            "i_account": v.positive_id(i_account, field="i_account"),
            "start_date": v.utc_z(start_date, field="start_date") if start_date is not None else None,
            "end_date": v.utc_z(end_date, field="end_date") if end_date is not None else None,
            "cli": v.text(cli, field="cli") if cli is not None else None,
            "cld": v.text(cld, field="cld") if cld is not None else None,
            "type": v.choice(type, field="type", allowed=v.TEL_HISTORY_TYPES) if type is not None else None,
        }
    )
