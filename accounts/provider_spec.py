"""What a provider kind is to the portal: one ``ProviderSpec`` per kind (``accounts/provider_specs/``).

A spec holds everything the apps need to know about a kind: its name and label,
its credential fields (encrypted, write-only when secret), its options (a frozen
dataclass whose fields declare the account form's inputs and give the typed,
cleaned values), how to build its API client, its connection check, and what it
can do (SMS, calls, PBX, fax). The registry (``provider_registry``) lists the
specs; nothing else in the portal keeps a table by kind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from providers.transport import RetryPolicy, TokenStore
from providers.urlsafety import UrlGuard

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from .models import ProviderAccount


class Capability(StrEnum):
    SMS = "sms"
    CALLS = "calls"
    PBX = "pbx"
    FAX = "fax"


class Timeouts:
    """The one timeout policy of every client the portal builds: (connect, read) seconds."""

    NORMAL: tuple[float, float] = (5.0, 20.0)
    # Pages and panels that must answer at once (dashboard, live calls, PBX, the SMS balance read):
    # a short timeout and a single try. The operator may change it (PROVIDER_QUICK_TIMEOUT).
    QUICK_DEFAULT: tuple[float, float] = (2.0, 4.0)

    @classmethod
    def quick(cls) -> tuple[float, float]:
        connect, read = getattr(settings, "PROVIDER_QUICK_TIMEOUT", cls.QUICK_DEFAULT)
        return float(connect), float(read)


class ProviderClient(Protocol):
    """What every client offers whatever its kind (a context manager that closes its session)."""

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


ClientT = TypeVar("ClientT")
OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: StrOrPromise
    secret: bool = True  # secrets are write-only; identifiers are shown back to admins
    help_text: StrOrPromise = ""
    required: bool = True
    routing: bool = False  # part of the request path (Telphin's extension id): changing it re-asks the secrets
    validators: tuple[Callable[[str], None], ...] = ()


@dataclass(frozen=True)
class OptionField:
    """One input of the account form; built from a field of a spec's options dataclass (``option()``)."""

    name: str
    label: StrOrPromise
    kind: str = "text"  # text | list | choice | int
    choices: tuple[tuple[str, StrOrPromise], ...] = ()
    default: str | int | list[str] = ""  # what the form starts with
    help_text: StrOrPromise = ""
    min_value: int | None = None
    max_value: int | None = None
    validators: tuple[Callable[[Any], None], ...] = ()
    path_placeholders: frozenset[str] | None = None  # a path under the base URL, with these {placeholders}
    phone_numbers: bool = False  # a list of phone numbers, stored as international digits


_OPTION = "telcoportal.option"


def option(
    label: StrOrPromise,
    *,
    kind: str = "text",
    default: str | int = "",
    choices: tuple[tuple[str, StrOrPromise], ...] = (),
    help_text: StrOrPromise = "",
    min_value: int | None = None,
    max_value: int | None = None,
    validators: tuple[Callable[[Any], None], ...] = (),
    path_placeholders: frozenset[str] | None = None,
    phone_numbers: bool = False,
) -> Any:
    """A field of an options dataclass that is also an input of the account form.

    Typed values: text and choice options are ``str``, int options ``int``, list options
    ``tuple[str, ...]``. An empty stored value reads as the default.
    """
    form_default: str | int = "" if kind == "list" else default
    typed_default: object = () if kind == "list" else default
    meta = {
        "label": label,
        "kind": kind,
        "choices": choices,
        "default": form_default,
        "help_text": help_text,
        "min_value": min_value,
        "max_value": max_value,
        "validators": validators,
        "path_placeholders": path_placeholders,
        "phone_numbers": phone_numbers,
    }
    return field(default=typed_default, metadata={_OPTION: meta})


def option_fields(options_type: type) -> tuple[OptionField, ...]:
    """The form inputs an options dataclass declares, in the order of its fields."""
    return tuple(
        OptionField(name=f.name, **f.metadata[_OPTION])
        for f in dataclasses.fields(options_type)
        if _OPTION in f.metadata
    )


@dataclass(frozen=True)
class Connection:
    """How a client is to reach its provider; no secret in here (the credentials are passed apart)."""

    timeout: tuple[float, float]
    retry: RetryPolicy | None  # a read's retries, for the clients that take a policy; None: the client's own
    guard: UrlGuard
    base_url: str = ""  # empty: the provider's documented address
    token_store: TokenStore | None = None
    redirect_uri: str = ""  # OAuth authorization-code grants
    overrides: Mapping[str, Any] = field(default_factory=dict)  # constructor arguments (tests: session, sleep)

    def client_kwargs(self) -> dict[str, Any]:
        """The arguments every client takes (timeout, guard, base URL when set), with the overrides."""
        base = {"base_url": self.base_url} if self.base_url else {}
        return {"timeout": self.timeout, **base, **self.overrides, "guard": self.guard}


@dataclass(frozen=True)
class ProviderSpec(Generic[ClientT, OptionsT]):
    """Everything the portal knows about one provider kind (see the module's docstring)."""

    kind: str  # stored on the account; also the provider name in errors, URL checks and sandbox paths
    label: StrOrPromise
    credentials: tuple[CredentialField, ...]
    options_type: type[OptionsT]
    build: Callable[[Mapping[str, str], OptionsT, Connection], ClientT]
    check: Callable[[ClientT], str]  # one cheap, harmless call: its outcome in words
    capabilities: frozenset[Capability] = frozenset()
    uses_tokens: bool = False  # OAuth: the token is kept (encrypted) on the account
    # Rules across credential fields: (data, creating) -> {field name: problem}
    clean_credentials: Callable[[Mapping[str, str], bool], dict[str, StrOrPromise]] | None = None
    options: tuple[OptionField, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", option_fields(self.options_type))

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def owns(self, account: ProviderAccount) -> bool:
        return account.kind == self.kind


def validate_time_zone(value: str) -> None:
    if not value:
        return
    try:
        ZoneInfo(value.strip())
    except (ValueError, ZoneInfoNotFoundError):
        raise ValidationError(
            _("“%(value)s” is not a time zone name like Europe/Istanbul."), params={"value": value}
        ) from None


class FaxOptions(Protocol):
    """The options every fax provider's options dataclass has (``provider_options.fax_options``)."""

    @property
    def fax_numbers(self) -> tuple[str, ...]: ...

    @property
    def fax_quality(self) -> str: ...

    @property
    def fax_format(self) -> str: ...


# The fax options every fax provider has (a function each: a dataclass field belongs to one class).
def fax_numbers_option() -> Any:
    return option(
        _("Fax numbers"),
        kind="list",
        phone_numbers=True,
        help_text=_("Our fax numbers at this provider, one per line."),
    )


def fax_quality_option() -> Any:
    # Choices, not free text that must hold an English keyword. Empty takes the default (older forms).
    return option(
        _("Default fax quality"),
        kind="choice",
        choices=(("fine", _("Fine (204×196 dpi)")), ("normal", _("Normal (204×98 dpi)"))),
        default="fine",
    )


def fax_format_option() -> Any:
    return option(
        _("Fax document format"),
        kind="choice",
        choices=(("tiff", _("TIFF made here, as previewed")), ("pdf", _("PDF, rendered by the provider"))),
        default="tiff",
    )
