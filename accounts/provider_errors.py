"""Provider errors in words a staff member can act on (translated, never with a secret)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from telcoportal.providers.errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
)


def describe(exc: ProviderError) -> str:
    """One sentence for the user; the provider's own text (already redacted) follows it."""
    detail = exc.message
    if isinstance(exc, AuthenticationFailed):
        text = _("The provider refused the credentials. Check them in the provider account.")
    elif isinstance(exc, PermissionDenied):
        text = _("The provider account is not allowed to do this.")
    elif isinstance(exc, NotFound):
        text = _("The provider does not have this record (any more).")
    elif isinstance(exc, InvalidRequest):
        text = _("The provider rejected the request.")
    elif isinstance(exc, RateLimited):
        text = _("The provider asks us to slow down. Try again in a moment.")
    elif isinstance(exc, ProviderUnavailable):
        text = _("The provider did not answer in time or is down. Try again later.")
    elif isinstance(exc, UnexpectedResponse):
        text = _("The provider answered with something we could not read.")
    else:
        text = _("The provider reported an error.")
    return f"{text} ({detail})" if detail else text
