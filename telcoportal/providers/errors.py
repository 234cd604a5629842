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
    """The provider rejected what we sent (400/422); field errors when it names fields."""

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
