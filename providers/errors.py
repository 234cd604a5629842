"""The one error hierarchy every provider client raises.

Messages are safe to show to a user and to log: the transport redacts secrets
before an error is built, so nothing here ever carries a password, key or token.
"""

from __future__ import annotations


class ProviderError(Exception):
    """Base class: something went wrong talking to a provider."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        provider: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.provider = provider
        # What a person may see of the provider's own words: set by the transport, short and
        # redacted, and only for the provider's documented hosts (empty: show none).
        self.excerpt = ""

    def __str__(self) -> str:
        prefix = f"{self.provider}: " if self.provider else ""
        status = f" (HTTP {self.status_code})" if self.status_code else ""
        return f"{prefix}{self.message}{status}"


class AuthenticationFailed(ProviderError):
    """Credentials were refused (401, bad key, expired token that cannot refresh)."""


class PermissionDenied(ProviderError):
    """Credentials are valid but not allowed to do this (403)."""


class NotFound(ProviderError):
    """The record or endpoint does not exist (404)."""


class InvalidRequest(ProviderError):
    """The provider rejected what we sent (400/422); field errors when it names fields.

    Without ``status_code`` it is our own check that refused the request before sending
    anything (the message then says what and why, in our words).
    """

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        status_code: int | None = None,
        provider: str = "",
    ) -> None:
        super().__init__(message, status_code=status_code, provider=provider)
        self.field_errors: dict[str, list[str]] = field_errors or {}


class RequestRefused(ProviderError):
    """We refused to send: the address is not allowed, or a path would leave the base URL.

    ``reason`` is one of ``address`` (the same for every refused target: no port
    scanning), ``scheme``, ``userinfo``, ``query``, ``syntax`` or ``path``.
    """

    def __init__(self, message: str, *, reason: str, provider: str = "") -> None:
        super().__init__(message, provider=provider)
        self.reason = reason


class RateLimited(ProviderError):
    """Too many requests (429); ``retry_after`` in seconds when the provider says."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = 429,
        provider: str = "",
    ) -> None:
        super().__init__(message, status_code=status_code, provider=provider)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """Timeout, connection failure or 5xx: the provider could not answer.

    ``request_sent`` is True when the request may have reached the provider
    (a read timeout, a 5xx): the outcome of a send is then *unknown* and must be
    reconciled from reports, never resubmitted blindly.
    """

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool = True,
        status_code: int | None = None,
        provider: str = "",
    ) -> None:
        super().__init__(message, status_code=status_code, provider=provider)
        self.request_sent = request_sent


class UnexpectedResponse(ProviderError):
    """The provider answered, but not with what its document promises."""
