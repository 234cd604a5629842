"""Provider errors in words a staff member can act on (translated, never with a secret).

A provider's own words are never echoed as they came: a classified sentence,
followed at most by the short, redacted excerpt the transport allows (for the
provider's documented hosts only). What we refused ourselves before sending
says what and why.
"""

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
    RequestRefused,
    UnexpectedResponse,
)

from .provider_options import refusal_text


class AccountUnusable(ProviderError, ValueError):
    """The account cannot build a client (unreadable credentials, an invalid stored option); a translated message.

    Also a ValueError: code that reads "incomplete account" from a ValueError reads it right.
    """


def describe(exc: ProviderError) -> str:
    """One sentence for the user."""
    if isinstance(exc, AccountUnusable):
        return exc.message
    if isinstance(exc, RequestRefused):
        return _("We did not contact the provider: %(why)s") % {"why": refusal_text(exc.reason)}
    if isinstance(exc, InvalidRequest) and exc.status_code is None:
        # Our own check refused it before anything was sent: its message is ours, and says why.
        return _("We did not send the request: %(why)s") % {"why": exc.message}
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
    excerpt = getattr(exc, "excerpt", "")
    return f"{text} ({excerpt})" if excerpt else text
