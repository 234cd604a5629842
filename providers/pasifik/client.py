"""The Pasifik Telekom API V2 client: construction, authorization, base URL, account."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from types import TracebackType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from ..schema import read
from ..transport import DEFAULT_TIMEOUT, Redactor, RetryPolicy, StaticHeaderAuth
from ..urlsafety import UrlGuard
from .base import PasifikEndpoints
from .fax import FaxEndpoints
from .models import UserSettings
from .parsing import PROVIDER
from .pbx import PbxEndpoints
from .responses import PasifikTransport, parse_error_body
from .sms import SmsEndpoints
from .telephone import TelephoneEndpoints
from .validation import AUTH_SCHEMES, LANGUAGES

DEFAULT_BASE_URL = "https://oim.pasifiktelekom.com.tr"
DEFAULT_PBX_ZONE = "Europe/Istanbul"

Timeout = float | tuple[float, float]


class PasifikClient(SmsEndpoints, TelephoneEndpoints, PbxEndpoints, FaxEndpoints, PasifikEndpoints):
    """Pasifik Telekom API V2: SMS, account, telephone, PBX and fax.

    ::

        PasifikClient(
            *,
            username: str,
            password: str,
            base_url: str = "https://oim.pasifiktelekom.com.tr",
            language: str = "en",            # "tr", "en" or "ar": the language of answer texts
            auth_scheme: str = "bare",       # "bare" or "basic"
            timeout: float | tuple[float, float] = (5, 30),  # (connect, read) seconds
            session: requests.Session | None = None,
            sleep: Callable[[float], None] = time.sleep,     # waits between read retries
            retry: RetryPolicy | None = None,
            pbx_zone: str = "Europe/Istanbul",  # the PBX's time zone: CDR calldates are its wall clock
        )

    Calls go to ``{base_url}/{language}/api/<endpoint>/``, each a POST with a
    JSON body. ``Authorization`` carries base64(``username:password``) with no
    scheme, as the document and the provider's own libraries send it, or with
    ``Basic `` when ``auth_scheme="basic"``. The username, password and header
    value are redacted from every log line and error message.

    Reads (reports, lists, downloads) are retried on timeouts, 5xx and 429;
    sends (submits, upload, disconnect) are tried once. Every method raises the
    error hierarchy of ``providers.errors``.
    """

    def __init__(
        self,
        *,
        username: str,
        password: str,
        base_url: str = DEFAULT_BASE_URL,
        language: str = "en",
        auth_scheme: str = "bare",
        timeout: Timeout = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy | None = None,
        pbx_zone: str = DEFAULT_PBX_ZONE,
        guard: UrlGuard | None = None,
    ) -> None:
        if not username or not password:
            raise ValueError("Pasifik needs a username and a password")
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        if auth_scheme not in AUTH_SCHEMES:
            raise ValueError(f"auth_scheme must be one of {', '.join(AUTH_SCHEMES)}")
        self.pbx_zone = pbx_time_zone(pbx_zone)
        self.language = language
        self.auth_scheme = auth_scheme
        authorization = authorization_value(username, password, auth_scheme=auth_scheme)
        self.transport = PasifikTransport(
            base_url=api_root(base_url, language),
            provider=PROVIDER,
            auth=StaticHeaderAuth({"Authorization": authorization}),
            timeout=_timeout_pair(timeout),
            retry=retry or RetryPolicy(),
            redactor=Redactor([username, password, authorization, authorization.removeprefix("Basic ")]),
            error_parser=parse_error_body,
            session=session or requests.Session(),
            sleep=sleep,
            default_headers={"Accept": "application/json"},
            guard=guard,
        )

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    # Reference: pasifik-telekom-api-v2.txt, "Get Settings"
    def user_settings(self) -> UserSettings:
        """Account name, balance (Decimal, in ``currency``), packages and telephone account ids."""
        return read(
            UserSettings, self._post("user/getsettings/", {}, read=True), transport=self.transport, what="user settings"
        )

    def close(self) -> None:
        self.transport.session.close()

    def __enter__(self) -> PasifikClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PasifikClient(base_url={self.base_url!r}, auth_scheme={self.auth_scheme!r})"


def pbx_time_zone(name: str) -> ZoneInfo:
    """The IANA zone of a PBX (``Europe/Istanbul``); ValueError for anything else."""
    try:
        return ZoneInfo(name.strip())
    except (ValueError, ZoneInfoNotFoundError, AttributeError):
        raise ValueError(f"pbx_zone must be a time zone name like {DEFAULT_PBX_ZONE}") from None


def authorization_value(username: str, password: str, *, auth_scheme: str = "bare") -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}" if auth_scheme == "basic" else token


def api_root(base_url: str, language: str) -> str:
    """``{base_url}/{language}/api/``; a base URL that already names a language and ``api`` is re-pointed."""
    root = base_url.strip().rstrip("/")
    head, _, last = root.rpartition("/")
    if last == "api":
        prefix, _, segment = head.rpartition("/")
        if segment in LANGUAGES:
            root = prefix
    return f"{root}/{language}/api/"


def _timeout_pair(timeout: Timeout) -> tuple[float, float]:
    if isinstance(timeout, tuple):
        return (float(timeout[0]), float(timeout[1]))
    return (float(timeout), float(timeout))
