"""Client for Telsam "yenifaks" (``telsam-yenifaks-fax-api.txt`` and NOTES.md).

A Laravel application with Passport: OAuth2 password and authorization-code
grants with refresh tokens, Laravel error bodies, Laravel paginators. Every
call is a POST with a JSON body. The document gives no URL for sending or
downloading; both are constructor options (see ``docs/providers.md``).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests
from pydantic import AfterValidator, BeforeValidator, Field

from .errors import AuthenticationFailed, InvalidRequest
from .files import BMP, JPEG, OLE, PDF, PNG, TIFF, ZIP, Download, sniff_media_type
from .paging import MAX_PAGES, paginate
from .records import OnSkip, SkippedRecord
from .schema import LocalTime, MaybeInt, OptionalText, Record, Text, int_or_none, read, read_list, to_text
from .transport import (
    DEFAULT_TIMEOUT,
    BearerTokenAuth,
    Redactor,
    Token,
    TokenStore,
    Transport,
    default_error_parser,
)
from .urlsafety import UrlGuard

DOC = "telsam-yenifaks-fax-api.txt"
ISTANBUL = ZoneInfo("Europe/Istanbul")
# "jpeg,png,bmp,docx,doc,xls,xlsx,pdf,tiff" recognised by content (doc/xls are OLE, docx/xlsx zip).
ACCEPTED_TYPES = {JPEG, PNG, BMP, ZIP, OLE, PDF, TIFF}
# The document's enums carry stray spaces (" success", "authorization_code "): we send them trimmed.
LIST_STATUSES = ("success", "pending", "failed")
LIST_TYPES = ("incoming", "outgoing")
STATUSES = {"success": "delivered", "pending": "pending", "failed": "failed"}
# OAuth errors that mean "these credentials, this code or this refresh token are refused".
_AUTH_ERRORS = {"invalid_grant", "invalid_client", "access_denied", "invalid_credentials"}


class Fax(Record):
    id: int
    phone: Text = ""
    subject: OptionalText = None
    call_type: Annotated[str, AfterValidator(str.strip), BeforeValidator(to_text)] = ""  # incoming / outgoing
    raw_status: Text = Field("", alias="status")
    again: MaybeInt = None  # attempts
    did: Text = ""
    created_at: LocalTime = None

    @property
    def status(self) -> str:
        """Normalized: delivered, pending, failed, unknown."""
        return STATUSES.get(self.raw_status.strip().lower(), "unknown")


class FaxAttempt(Record):
    id: int
    calldate: LocalTime = None
    subject: OptionalText = None
    src: Text = ""
    dstnum: Text = ""
    disposition: Text = ""
    calltype: Text = ""
    raw_status: Text = Field("", alias="status")  # e.g. "FAILED"

    @property
    def status(self) -> str:
        """Normalized: delivered, pending, failed, unknown."""
        return STATUSES.get(self.raw_status.strip().lower(), "unknown")


class FaxDetail(Record):
    """The detail answer: ``{"fax": {...}, "detail": [...]}``."""

    fax: Fax
    attempts: Annotated[list[FaxAttempt], BeforeValidator(lambda value: value or [])] = Field([], alias="detail")


@dataclass(frozen=True)
class FaxPage:
    faxes: list[Fax]
    page: int
    last_page: int | None  # None when the answer carried no paginator
    total: int | None
    per_page: int | None
    has_next: bool


class _TelsamTransport(Transport):
    def raise_for_status(self, response: requests.Response) -> None:
        if response.status_code == 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, Mapping) and body.get("error") in _AUTH_ERRORS:
                message, _ = self.error_parser(response)
                raise AuthenticationFailed(self.redactor(message), status_code=400, provider=self.provider)
        super().raise_for_status(response)


class TelsamClient:
    provider = "telsam"

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        username: str = "",
        password: str = "",
        redirect_uri: str = "",
        base_url: str = "https://yenifaks.telsam.com.tr/api/v1",
        token_path: str = "/oauth/token",  # noqa: S107 - a URL path, not a secret
        authorize_path: str = "/oauth/authorize",  # under the base URL (Laravel Passport)
        send_path: str = "/fax/send",
        download_path: str = "/fax/{id}/download",
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        token_store: TokenStore | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        guard: UrlGuard | None = None,
    ) -> None:
        self.client_id = str(client_id)
        self._client_secret = client_secret
        self.username = username
        self._password = password
        self.redirect_uri = redirect_uri
        self.token_path = token_path
        self.authorize_path = authorize_path
        self.send_path = send_path
        self.download_path = download_path
        self._clock = clock
        self.redactor = Redactor([client_secret, password])
        self.auth = BearerTokenAuth(
            obtain=self._obtain,
            refresh=lambda token: self.token_refresh(token.refresh_token),
            store=token_store,
            margin=timedelta(minutes=5),
            clock=clock,
            redactor=self.redactor,
        )
        self.transport = _TelsamTransport(
            base_url=base_url,
            provider=self.provider,
            auth=self.auth,
            timeout=timeout,
            redactor=self.redactor,
            error_parser=default_error_parser,  # Laravel's {message, errors}; Passport's {error, message}
            session=session or requests.Session(),
            sleep=sleep,
            default_headers={"Accept": "application/json"},
            guard=guard,
        )

    # --- tokens ----------------------------------------------------------------------

    # Reference: telsam-yenifaks-fax-api.txt, "Parola için yetkilendirme jetonu alma"
    def token_password(self) -> Token:
        """A new token from the password grant; stored for the next calls."""
        if not (self.username and self._password):
            raise AuthenticationFailed(
                "no Telsam token: the account has no API user; authorize it again", provider=self.provider
            )
        return self._grant(
            {
                "grant_type": "password",
                "username": self.username,
                "password": self._password,
                "client_id": self.client_id,
                "client_secret": self._client_secret,
            }
        )

    # Reference: telsam-yenifaks-fax-api.txt, "Oauth2 yetkilendirme jetonu alma" (the "code" step)
    def authorize_url(self, *, state: str, redirect_uri: str = "", scope: str = "") -> str:
        """Where to send the person who approves access; Telsam redirects back with ``code`` and ``state``."""
        query = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri or self.redirect_uri,
            "response_type": "code",
            "state": state,
        }
        if scope:
            query["scope"] = scope
        return f"{self.transport.url(self.authorize_path)}?{urlencode(query)}"

    # Reference: telsam-yenifaks-fax-api.txt, "Oauth2 yetkilendirme jetonu alma"
    def token_from_code(self, *, code: str, redirect_uri: str = "") -> Token:
        """Trades the code from the redirect for a token; stored for the next calls."""
        self.redactor.add(code)
        return self._grant(
            {
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
                "redirect_uri": redirect_uri or self.redirect_uri,
                "code": code,
            }
        )

    # Reference: NOTES.md, "Telsam yenifaks" (Passport refresh-token grant)
    def token_refresh(self, refresh_token: str = "") -> Token:
        """Trades the refresh token (the stored one by default) for a new token."""
        if not refresh_token:
            stored = self.auth.store.load()
            refresh_token = stored.refresh_token if stored else ""
        if not refresh_token:
            raise AuthenticationFailed("no refresh token to refresh with", provider=self.provider)
        self.redactor.add(refresh_token)
        return self._grant(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self.client_id,
                "client_secret": self._client_secret,
                "scope": "",
            }
        )

    # --- faxes -------------------------------------------------------------------------

    # Reference: telsam-yenifaks-fax-api.txt, "Faks Listeleme"
    def fax_list(
        self,
        *,
        status: str | None = None,
        call_type: str | None = None,
        search: str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        page: int | None = None,
        on_skip: OnSkip | None = None,
    ) -> FaxPage:
        """One page of faxes; ``call_type`` is the document's ``type``. Without dates, today's.

        A record that cannot be read is skipped and handed to ``on_skip`` (``providers.records``).
        """
        body: dict[str, Any] = {}
        if start_date is not None:
            body["start_date"] = _local_stamp(start_date)
        if end_date is not None:
            body["end_date"] = _local_stamp(end_date)
        if status is not None:
            body["status"] = _enum(status, LIST_STATUSES, "status")
        if call_type is not None:
            body["type"] = _enum(call_type, LIST_TYPES, "type")
        if search:
            body["search"] = search
        params = {"page": int(page)} if page is not None else None
        response = self.transport.request("POST", "/fax", read=True, params=params, json_body=body)
        return self._page(self.transport.json(response), requested_page=page or 1, on_skip=on_skip)

    # Reference: telsam-yenifaks-fax-api.txt, "Faks Listeleme" (page)
    def iter_faxes(self, *, max_pages: int = MAX_PAGES, on_skip: OnSkip | None = None, **filters: Any) -> Iterator[Fax]:
        """Every fax matching ``filters`` (those of :meth:`fax_list`), page after page."""
        filters.pop("page", None)

        def fetch(page: int) -> tuple[list[Fax], int | None]:
            skipped: list[SkippedRecord] = []
            result = self.fax_list(page=page, on_skip=skipped.append, **filters)
            for record in skipped:
                if on_skip is not None:
                    on_skip(record)
            # A page whose records were all skipped is not the end of the list.
            last = not result.has_next or not (result.faxes or skipped)
            # The paginator's own page number: a provider that renumbers is followed, one that ignores ?page is caught.
            return result.faxes, None if last else result.page + 1

        yield from paginate(fetch, first=1, provider=self.provider, what="faxes", max_pages=max_pages)

    # Reference: telsam-yenifaks-fax-api.txt, "Faks Detayı"
    def fax_detail(self, fax_id: int) -> FaxDetail:
        response = self.transport.request("POST", f"/fax/{int(fax_id)}", read=True, json_body={})
        return read(FaxDetail, self.transport.json(response), transport=self.transport, what="fax detail")

    # Reference: telsam-yenifaks-fax-api.txt, "Faks dosyası indirme" (URL: constructor option)
    def fax_download(self, fax_id: int) -> Download:
        """The fax as PDF, streamed."""
        path = self.download_path.format(id=int(fax_id))
        response = self.transport.request("POST", path, read=True, json_body={}, stream=True)
        return Download(response, provider=self.provider, fallback_name=f"fax-{int(fax_id)}.pdf")

    # Reference: telsam-yenifaks-fax-api.txt, "Faks Gönderme" (URL: constructor option)
    def fax_send(
        self, *, did: str, phones: Sequence[str], files: Sequence[bytes], on_skip: OnSkip | None = None
    ) -> list[Fax]:
        """Sends the files to every number; returns one fax per number.

        A fax of the answer that cannot be read is skipped and handed to ``on_skip`` (``providers.records``):
        the send happened, and the others are still known.
        """
        errors: dict[str, list[str]] = {}
        if not did.strip():
            errors["did"] = ["required"]
        numbers = [p.strip() for p in phones if p.strip()]
        if not numbers:
            errors["phones"] = ["at least one number"]
        if not files:
            errors["files"] = ["at least one file"]
        for index, content in enumerate(files):
            if sniff_media_type(content) not in ACCEPTED_TYPES:
                errors[f"files.{index}"] = ["not a jpeg, png, bmp, doc(x), xls(x), pdf or tiff file"]
        if errors:
            raise InvalidRequest("the fax cannot be sent as it is", field_errors=errors, provider=self.provider)
        body = {
            "did": did.strip(),
            "phones": numbers,
            "files": [base64.b64encode(content).decode("ascii") for content in files],
        }
        response = self.transport.request("POST", self.send_path, read=False, json_body=body)
        answer = self.transport.json(response)
        if not isinstance(answer, Mapping) or not isinstance(answer.get("faxes"), list):
            raise self.transport.unexpected("send answer without faxes")
        if answer.get("process") is False:
            raise InvalidRequest(
                "Telsam did not process the fax (process: false)",
                status_code=response.status_code,
                provider=self.provider,
            )
        return read_list(Fax, answer["faxes"], transport=self.transport, what="sent faxes", on_skip=on_skip)

    # --- helpers -----------------------------------------------------------------------------

    def _obtain(self) -> Token:
        return self.token_password()

    def _grant(self, body: dict[str, str]) -> Token:
        response = self.transport.request("POST", self.token_path, read=False, json_body=body, authenticated=False)
        token = Token.from_oauth_response(self.transport.json(response), now=self._clock())
        self.redactor.add(token.access_token)
        self.redactor.add(token.refresh_token)
        self.auth.store.save(token)
        return token

    def _page(self, body: Any, *, requested_page: int, on_skip: OnSkip | None = None) -> FaxPage:
        # [...], {"data": [...]} (a Laravel paginator or not) and {"faxes": [...]} alike.
        meta: Mapping[str, Any] = {}
        if isinstance(body, list):
            items = body
        elif isinstance(body, Mapping) and isinstance(body.get("data"), list):
            items, meta = body["data"], body
        elif isinstance(body, Mapping) and isinstance(body.get("faxes"), list):
            items, meta = body["faxes"], body
        else:
            raise self.transport.unexpected("fax list answer is neither a list nor a paginator")
        if isinstance(meta.get("meta"), Mapping):  # a Laravel API resource collection
            meta = {**meta["meta"], "next_page_url": (meta.get("links") or {}).get("next")}
        page = int_or_none(meta.get("current_page")) or requested_page
        last_page = int_or_none(meta.get("last_page"))
        has_next = bool(meta.get("next_page_url")) or (last_page is not None and page < last_page)
        return FaxPage(
            faxes=read_list(Fax, items, transport=self.transport, what="faxes", on_skip=on_skip),
            page=page,
            last_page=last_page,
            total=int_or_none(meta.get("total")),
            per_page=int_or_none(meta.get("per_page")),
            has_next=has_next,
        )


def _enum(value: str, allowed: tuple[str, ...], name: str) -> str:
    trimmed = value.strip()
    if trimmed not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return trimmed


def _local_stamp(moment: datetime) -> str:
    """``YYYY-MM-DD HH:mm:ss`` in Istanbul time (the document names no zone)."""
    if moment.tzinfo is None:
        raise ValueError("filter times must be timezone-aware")
    return moment.astimezone(ISTANBUL).strftime("%Y-%m-%d %H:%M:%S")
