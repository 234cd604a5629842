"""Provider errors in words a staff member can act on (translated, never with a secret).

A provider's own words are never echoed as they came: a classified sentence,
followed at most by the short, redacted excerpt the transport allows (for the
provider's documented hosts only). What we refused ourselves before sending
says what and why.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from providers.errors import (
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

from .stored_text import StoredText, Texts, render, render_kept, stored

# Why we refused an address or path, in words (one sentence per reason; never per target).
REFUSALS: dict[str, Promise] = {
    "address": _(
        "this address is not allowed for this provider. Use the provider's documented address, "
        "or ask the operator to add it to PROVIDER_URL_ALLOWLIST."
    ),
    "scheme": _("only http:// and https:// addresses can be used."),
    "userinfo": _("the address must not contain a user name or password."),
    "query": _("the base URL must not contain “?” or “#”."),
    "syntax": _("the address must not contain spaces, control characters or backslashes."),
    "path": _(
        "a path must be a plain path under the base URL (such as /fax/send): "
        "not a full address, and without “?”, “#”, “%” or “..”."
    ),
}


def refusal_reason(reason: str) -> str:
    """A known refusal reason (an unknown one reads as ``address``)."""
    return reason if reason in REFUSALS else "address"


class AccountUnusable(ProviderError, ValueError):
    """The account cannot build a client (unreadable credentials, an invalid stored option); a translated message.

    ``text`` is the same message as a stored text, for what is kept and read later.
    Also a ValueError: code that reads "incomplete account" from a ValueError reads it right.
    """

    def __init__(self, message: str, *, provider: str = "", text: StoredText | None = None) -> None:
        super().__init__(message, provider=provider)
        self.text: StoredText | str = text or message


# key -> text with %(name)s parameters; ``excerpt`` is the provider's own words, kept verbatim
TEXTS: dict[str, Promise] = {
    "refused_by_us": _("We did not contact the provider: %(why)s"),
    "not_sent": _("We did not send the request: %(why)s"),
    "auth_failed": _("The provider refused the credentials. Check them in the provider account."),
    "permission_denied": _("The provider account is not allowed to do this."),
    "not_found": _("The provider does not have this record (any more)."),
    "rejected": _("The provider rejected the request."),
    "rate_limited": _("The provider asks us to slow down. Try again in a moment."),
    "unavailable": _("The provider did not answer in time or is down. Try again later."),
    "unexpected": _("The provider answered with something we could not read."),
    "error": _("The provider reported an error."),
    "with_excerpt": _("%(text)s (%(excerpt)s)"),
    "field_refused": _("%(field)s: refused by the provider"),
    **{f"refusal.{reason}": text for reason, text in REFUSALS.items()},
    "account.unreadable": _("The credentials of %(label)s cannot be read: an admin must re-enter them."),
    "account.base_url": _("The base URL of %(label)s cannot be used: %(problem)s"),
    "telsam_no_token": _("No token yet: use Connect to authorize this account at Telsam."),
    "account.option": _("The setting “%(option)s” of %(label)s is invalid (%(problem)s): an admin can correct it."),
}

_CLASSES: tuple[tuple[type[ProviderError], str], ...] = (
    (AuthenticationFailed, "auth_failed"),
    (PermissionDenied, "permission_denied"),
    (NotFound, "not_found"),
    (InvalidRequest, "rejected"),
    (RateLimited, "rate_limited"),
    (ProviderUnavailable, "unavailable"),
    (UnexpectedResponse, "unexpected"),
)


def describe_stored(exc: ProviderError) -> StoredText | str:
    """What ``describe`` says, as a stored text: rendered in the reader's language when read."""
    if isinstance(exc, AccountUnusable):
        return exc.text
    if isinstance(exc, RequestRefused):
        return stored("refused_by_us", why=stored(f"refusal.{refusal_reason(exc.reason)}"))
    if isinstance(exc, InvalidRequest) and exc.status_code is None:
        # Our own check refused it before anything was sent: its message is ours, and says why.
        return stored("not_sent", why=exc.message)
    key = next((key for cls, key in _CLASSES if isinstance(exc, cls)), "error")
    excerpt = getattr(exc, "excerpt", "")
    return stored("with_excerpt", text=stored(key), excerpt=excerpt) if excerpt else stored(key)


def describe(exc: ProviderError) -> str:
    """One sentence for the user, in the active language."""
    return render_text(describe_stored(exc))


def render_text(value: StoredText | str | None, texts: Texts | None = None, *, old_text: str | None = None) -> str:
    """A stored provider error (or an app's stored text, with its ``texts``) in the reader's language.

    ``old_text``: the row's text column, for rows written before keys (``stored_text.render_kept``).
    """
    merged = {**TEXTS, **texts} if texts else TEXTS
    if old_text is not None:
        return render_kept(value if isinstance(value, dict) else None, old_text, merged)
    return render(value, merged)
