"""The HTTP transport every provider client shares.

One ``requests.Session`` per client, explicit timeouts, bounded retries with
backoff for reads only (a send is never retried blindly), OAuth bearer tokens
that refresh before expiry and once on 401, one error hierarchy, and redaction
of secrets from every log line and exception message.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from .errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RequestRefused,
    UnexpectedResponse,
)
from .ratelimit import RateLimiter
from .urlsafety import UrlGuard, check_path

logger = logging.getLogger("providers")


@dataclass(frozen=True)
class RequestObservation:
    """One HTTP attempt at a provider, as the observers see it (metrics): no URL, no body, no secret."""

    provider: str
    method: str
    endpoint: str  # the request's path with ids folded to ``{id}`` (a bounded set of label values)
    seconds: float
    error: str | None  # the ProviderError's class name, None for a 2xx answer


RequestObserver = Callable[[RequestObservation], None]
_observers: list[RequestObserver] = []
_ID_SEGMENT = re.compile(r"^(?=.*\d)[\w.@~:-]+$")


def add_request_observer(observer: RequestObserver) -> None:
    """``observer`` hears every attempt of every client (the portal hooks its metrics here); idempotent."""
    if observer not in _observers:
        _observers.append(observer)


def remove_request_observer(observer: RequestObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


def endpoint_label(path: str, *, absolute: bool = False) -> str:
    """``path`` as a metric label: ids (any segment with a digit) become ``{id}``; a whole URL is one label."""
    if absolute:
        return "{url}"
    segments = path.split("?", 1)[0].strip("/").split("/")
    return "/" + "/".join("{id}" if _ID_SEGMENT.match(s) else s for s in segments if s)


def _notify(observation: RequestObservation) -> None:
    for observer in list(_observers):
        try:
            observer(observation)
        except Exception:  # a broken observer must never fail a provider request
            logger.warning("providers: a request observer failed", exc_info=True)


DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
REDACTED = "[redacted]"
EXCERPT_LENGTH = 80  # characters of a provider's own words a person may see
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_FIELD_NAME = re.compile(r"^[\w.\-]{1,40}$")
REFUSED = "refused by the provider"  # a field error's words when the host is not the provider's own

# Names that carry a secret wherever they appear (a header, a query string, a form or JSON body we echo):
# the headers of credentials and cookies, API keys, and the OAuth 2 fields of RFC 6749. Nothing else is
# redacted by its name: a provider's ``code`` or ``token_type`` is information, not a secret. Every secret a
# client holds (its credentials, the tokens it was given) is redacted by value, under whatever name it appears.
SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie")
SECRET_FIELDS = (
    "x-api-key", "api-key", "api_key", "apikey", "key",
    "password", "client_secret", "access_token", "refresh_token",
)  # fmt: skip
_NAME_START = r"(?<![\w-])"  # a whole name: ``key`` but not ``monkey`` or ``x-key``
_SEPARATOR = r"[\"']?\s*[:=]\s*[\"']?"
# A header's value runs to the end of the line or of the quoted string; a field's to the next delimiter.
_SECRET_PATTERNS = (
    re.compile(rf"(?i)({_NAME_START}(?:{'|'.join(SECRET_HEADERS)}){_SEPARATOR})[^\r\n\"']+"),
    re.compile(rf"(?i)({_NAME_START}(?:{'|'.join(map(re.escape, SECRET_FIELDS))}){_SEPARATOR})[^&\s\"',;}}]+"),
)


class Redactor:
    """Removes the known secret values, and the values of known secret names (see ``SECRET_HEADERS``), from text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 3:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text


@dataclass
class Token:
    access_token: str
    expires_at: datetime | None = None
    refresh_token: str = ""
    token_type: str = "Bearer"

    def is_fresh(self, *, margin: timedelta, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at - margin > now

    def to_dict(self) -> dict[str, str]:
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else "",
            "refresh_token": self.refresh_token,
            "token_type": self.token_type,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Token:
        expires = data.get("expires_at") or None
        return cls(
            access_token=str(data["access_token"]),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            refresh_token=str(data.get("refresh_token") or ""),
            token_type=str(data.get("token_type") or "Bearer"),
        )

    @classmethod
    def from_oauth_response(cls, data: Mapping[str, Any], *, now: datetime) -> Token:
        """Builds a token from an RFC 6749 token response."""
        if not isinstance(data, Mapping) or not data.get("access_token"):
            raise UnexpectedResponse("token response without access_token")
        expires_in = data.get("expires_in")
        try:
            expires_at = now + timedelta(seconds=int(expires_in)) if expires_in else None
        except (TypeError, ValueError):
            expires_at = None
        return cls(
            access_token=str(data["access_token"]),
            expires_at=expires_at,
            refresh_token=str(data.get("refresh_token") or ""),
            token_type=str(data.get("token_type") or "Bearer").strip() or "Bearer",
        )


class TokenStore(Protocol):
    """Where a client keeps its OAuth token between calls (the portal encrypts it)."""

    def load(self) -> Token | None: ...

    def save(self, token: Token | None) -> None: ...


class MemoryTokenStore:
    def __init__(self, token: Token | None = None) -> None:
        self.token = token

    def load(self) -> Token | None:
        return self.token

    def save(self, token: Token | None) -> None:
        self.token = token


class Auth(Protocol):
    def headers(self) -> dict[str, str]: ...

    def invalidate(self) -> bool:
        """Forget cached credentials after a 401; True when a retry may help."""
        ...


class StaticHeaderAuth:
    """Fixed headers (Pasifik's Authorization value, for example)."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def invalidate(self) -> bool:
        return False


class NoAuth(StaticHeaderAuth):
    def __init__(self) -> None:
        super().__init__({})


class BearerTokenAuth:
    """OAuth2 bearer token: fetched on demand, refreshed before expiry and on 401.

    ``obtain`` gets a brand-new token (password or client-credentials grant);
    ``refresh`` (optional) trades a refresh token for a new one.
    """

    def __init__(
        self,
        *,
        obtain: Callable[[], Token],
        store: TokenStore | None = None,
        refresh: Callable[[Token], Token] | None = None,
        margin: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        redactor: Redactor | None = None,
    ) -> None:
        self._obtain = obtain
        self._refresh = refresh
        self.store = store or MemoryTokenStore()
        self._margin = margin
        self._clock = clock
        self._redactor = redactor

    def token(self) -> Token:
        token = self.store.load()
        if token and token.is_fresh(margin=self._margin, now=self._clock()):
            return token
        new: Token | None = None
        if token and token.refresh_token and self._refresh:
            try:
                new = self._refresh(token)
            except AuthenticationFailed:
                new = None
            except InvalidRequest:
                new = None
        if new is None:
            new = self._obtain()
        self.store.save(new)
        if self._redactor:
            self._redactor.add(new.access_token)
            self._redactor.add(new.refresh_token)
        return new

    def headers(self) -> dict[str, str]:
        token = self.token()
        if self._redactor:
            self._redactor.add(token.access_token)
        return {"Authorization": f"Bearer {token.access_token}"}

    def invalidate(self) -> bool:
        token = self.store.load()
        if token is not None:
            # Keep the refresh token, drop the access token's validity.
            self.store.save(
                Token(
                    access_token=token.access_token,
                    expires_at=datetime(1970, 1, 1, tzinfo=UTC),
                    refresh_token=token.refresh_token,
                    token_type=token.token_type,
                )
            )
        return True


ErrorParser = Callable[[requests.Response], tuple[str, dict[str, list[str]]]]


def default_error_parser(response: requests.Response) -> tuple[str, dict[str, list[str]]]:
    """Reads ``{"message"|"error"|"error_description": ..., "errors": {...}}`` or plain text."""
    text = response.text or ""
    try:
        body = response.json()
    except ValueError:
        return (text.strip()[:500] or response.reason or "error"), {}
    if isinstance(body, Mapping):
        message = ""
        for key in ("message", "error_description", "error", "detail", "description", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                message = value.strip()
                break
        errors: dict[str, list[str]] = {}
        raw_errors = body.get("errors")
        if isinstance(raw_errors, Mapping):
            for name, value in raw_errors.items():
                errors[str(name)] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        return message or (response.reason or "error"), errors
    return text.strip()[:500] or (response.reason or "error"), {}


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class RetryPolicy:
    """Bounded retries with exponential backoff, for idempotent reads only."""

    attempts: int = 3  # total tries for a read, the first included
    backoff: float = 0.5  # seconds before the second try; doubles each time
    max_wait: float = 30.0  # never sleep longer than this in one go
    jitter: float = 0.1

    def wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_wait)
        base = self.backoff * (2 ** (attempt - 1))
        return min(base + random.uniform(0, self.jitter * base), self.max_wait)


@dataclass
class Transport:
    """HTTP plumbing shared by the clients; knows nothing of any one provider."""

    base_url: str
    provider: str
    auth: Auth = field(default_factory=NoAuth)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    redactor: Redactor = field(default_factory=Redactor)
    error_parser: ErrorParser = default_error_parser
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    default_headers: dict[str, str] = field(default_factory=dict)
    # Where requests may go (see urlsafety); None only for a client used on its own, outside the portal.
    guard: UrlGuard | None = None
    # A provider's documented request rate: every attempt, retries included, waits for its turn.
    limiter: RateLimiter | None = None

    def __post_init__(self) -> None:
        if self.guard is not None:
            self.guard.protect(self.session)

    @property
    def shows_excerpts(self) -> bool:
        """A person may see a short excerpt of answers from the provider's documented hosts only."""
        return self.guard is None or self.guard.is_documented(self.base_url)

    def url(self, path: str, *, absolute: bool = False) -> str:
        """``path`` under the base URL; an absolute URL only where the caller says (a URL the provider gave)."""
        if absolute:
            if self.guard is not None:
                self.guard.check_url(path)
            return path
        if self.guard is not None:
            self.guard.check_base_url(self.base_url)
            check_path(path, provider=self.provider)
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def excerpt(self, text: str) -> str:
        """At most a short, redacted, one-line excerpt of a provider's words; none from other hosts."""
        if not self.shows_excerpts:
            return ""
        line = " ".join(_CONTROL.sub(" ", self.redactor(text or "")).split())
        return line if len(line) <= EXCERPT_LENGTH else line[: EXCERPT_LENGTH - 1] + "…"

    def mark(self, exc: ProviderError) -> ProviderError:
        """Sets what a person may see of the provider's words on an error built from its answer."""
        if not isinstance(exc, RequestRefused):
            exc.excerpt = self.excerpt(exc.message)
            if isinstance(exc, InvalidRequest) and exc.status_code is not None:
                exc.field_errors = {
                    name: [self.excerpt(m) for m in messages][:3] if self.shows_excerpts else [f"{name}: {REFUSED}"]
                    for name, messages in exc.field_errors.items()
                    if _FIELD_NAME.match(name)
                }
        return exc

    def request(
        self,
        method: str,
        path: str,
        *,
        read: bool,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        authenticated: bool = True,
        absolute: bool = False,
    ) -> requests.Response:
        """Sends one request; returns a 2xx response or raises a ProviderError.

        ``read=True`` marks an idempotent read that may be retried on timeouts,
        5xx and 429. A send (``read=False``) is tried once; only a 401 with a
        refreshable token is repeated, since the provider did not act on it.
        Redirects are never followed. ``absolute`` allows ``path`` to be a whole
        URL (one the provider's answer gave), still checked like the base URL.
        """
        try:
            return self._request(
                method,
                path,
                read=read,
                params=params,
                json_body=json_body,
                data=data,
                files=files,
                headers=headers,
                stream=stream,
                authenticated=authenticated,
                absolute=absolute,
            )
        except ProviderError as exc:
            self.mark(exc)
            raise

    def _request(
        self,
        method: str,
        path: str,
        *,
        read: bool,
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: Any,
        files: Any,
        headers: Mapping[str, str] | None,
        stream: bool,
        authenticated: bool,
        absolute: bool,
    ) -> requests.Response:
        attempts = self.retry.attempts if read else 1
        attempt = 0
        reauthenticated = False
        url = self.url(path, absolute=absolute)  # refused before any header (or token) is built
        endpoint = endpoint_label(path, absolute=absolute)
        while True:
            attempt += 1
            try:
                return self._observed_attempt(
                    method,
                    url,
                    endpoint,
                    params=params,
                    json_body=json_body,
                    data=data,
                    files=files,
                    headers=headers,
                    stream=stream,
                    authenticated=authenticated,
                )
            except AuthenticationFailed:
                if authenticated and not reauthenticated and self.auth.invalidate():
                    reauthenticated = True
                    attempt -= 1
                    continue
                raise
            except (ProviderUnavailable, RateLimited) as exc:
                if attempt >= attempts:
                    raise
                retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
                wait = self.retry.wait(attempt, retry_after)
                logger.info(
                    "%s: retrying %s %s in %.2fs after %s", self.provider, method, self.redactor(url), wait, exc
                )
                self.sleep(wait)

    def _observed_attempt(self, method: str, url: str, endpoint: str, **request: Any) -> requests.Response:
        """One attempt, answered 2xx or raised as a ProviderError; the observers hear its time and outcome."""
        if self.limiter is not None:
            self.limiter.acquire()  # the wait for our turn is ours, not the provider's latency
        started = time.monotonic()
        error: str | None = None
        try:
            response = self._send_once(method, url, **request)
            self.raise_for_status(response)
            return response
        except ProviderError as exc:
            error = type(exc).__name__
            raise
        finally:
            _notify(RequestObservation(self.provider, method, endpoint, time.monotonic() - started, error))

    def _send_once(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: Any,
        files: Any,
        headers: Mapping[str, str] | None,
        stream: bool,
        authenticated: bool,
    ) -> requests.Response:
        all_headers = dict(self.default_headers)
        if authenticated:
            all_headers.update(self.auth.headers())
        if headers:
            all_headers.update(headers)
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                files=files,
                headers=all_headers,
                timeout=self.timeout,
                stream=stream,
                allow_redirects=False,
            )
        except RequestRefused:
            raise
        except requests.RequestException as exc:
            raise self._unavailable(exc) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info(
            "%s %s %s -> %s in %.0f ms",
            self.provider,
            method,
            self.redactor(response.url or url),
            response.status_code,
            elapsed_ms,
        )
        return response

    def _unavailable(self, exc: requests.RequestException) -> ProviderUnavailable:
        message, request_sent = classify_failure(exc)
        detail = self.redactor(f"{message}: {type(exc).__name__}")
        return ProviderUnavailable(detail, request_sent=request_sent, provider=self.provider)

    def raise_for_status(self, response: requests.Response) -> None:
        status = response.status_code
        if 300 <= status < 400:
            response.close()
            raise UnexpectedResponse(
                "the provider answered with a redirect, which is not followed",
                status_code=status,
                provider=self.provider,
            )
        if status < 400:
            return
        message, field_errors = self.error_parser(response)
        if stream_body_unread(response):
            response.close()
        raise self.error_for_status(status, message, field_errors, retry_after=response.headers.get("Retry-After"))

    def error_for_status(
        self,
        status: int,
        message: str,
        field_errors: dict[str, list[str]] | None = None,
        *,
        retry_after: str | None = None,
    ) -> ProviderError:
        message = self.redactor(message)
        field_errors = {k: [self.redactor(m) for m in v] for k, v in (field_errors or {}).items()}
        kwargs: dict[str, Any] = {"status_code": status, "provider": self.provider}
        if status == 401:
            return AuthenticationFailed(message, **kwargs)
        if status == 403:
            return PermissionDenied(message, **kwargs)
        if status == 404:
            return NotFound(message, **kwargs)
        if status == 429:
            return RateLimited(message, retry_after=parse_retry_after(retry_after), **kwargs)
        if status >= 500:
            return ProviderUnavailable(message, request_sent=True, **kwargs)
        if 400 <= status < 500:
            return InvalidRequest(message, field_errors=field_errors, **kwargs)
        return UnexpectedResponse(message, **kwargs)

    def json(self, response: requests.Response) -> Any:
        """The body as JSON, or UnexpectedResponse for a malformed or truncated one."""
        try:
            return json.loads(response.content.decode(response.encoding or "utf-8"))
        except (ValueError, UnicodeDecodeError):
            snippet = self.redactor(response.text[:120]) if response.text else ""
            error = UnexpectedResponse(
                f"malformed JSON body: {snippet!r}", status_code=response.status_code, provider=self.provider
            )
            raise self.mark(error) from None

    def unexpected(self, message: str, status_code: int | None = None) -> UnexpectedResponse:
        error = UnexpectedResponse(self.redactor(message), status_code=status_code, provider=self.provider)
        self.mark(error)
        return error


def stream_body_unread(response: requests.Response) -> bool:
    return not getattr(response, "_content_consumed", True)


def classify_failure(exc: requests.RequestException) -> tuple[str, bool]:
    """What went wrong with a request that got no answer, and whether it may have reached the provider.

    Decided by the exception's type, never its text: no connection (refused, no such host, a
    connect timeout, a failed TLS handshake, a proxy that refused) means nothing was sent; a read
    timeout or a connection dropped after it was made means the provider may have acted.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out", False
    if isinstance(exc, requests.ReadTimeout):
        return "the provider did not answer in time", True
    if isinstance(exc, requests.exceptions.SSLError):
        return "the secure connection to the provider failed", False
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy did not connect us to the provider", False
    if isinstance(exc, requests.ConnectionError):
        # requests wraps urllib3's error, MaxRetryError(reason=NewConnectionError) when no connection was made.
        cause = exc.args[0] if exc.args else None
        reason = cause.reason if isinstance(cause, MaxRetryError) else cause
        connected = not isinstance(reason, ConnectTimeoutError)  # NewConnectionError, NameResolutionError too
        return "could not reach the provider", connected
    return "request failed", True
