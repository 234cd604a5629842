"""Validation of a provider account's options and of where its requests go.

One place decides what a stored option may hold: the account form, the save
service and ``client_for`` (for rows saved before a rule existed) all ask here.
What each kind declares (the fields of its spec's options dataclass) comes from
the registry; ``options_of`` gives them typed.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.utils.translation import gettext as _

from core.phones import parse_international_digits
from providers.errors import RequestRefused
from providers.urlsafety import AllowList, UrlGuard, check_path

from .provider_errors import REFUSALS, refusal_reason
from .provider_registry import spec_for
from .provider_spec import Capability, FaxOptions, OptionField, ProviderSpec

if TYPE_CHECKING:
    from .models import ProviderAccount

OptionsT = TypeVar("OptionsT")
logger = logging.getLogger(__name__)


def allowlist() -> AllowList:
    return _parsed(tuple(getattr(settings, "PROVIDER_URL_ALLOWLIST", ()) or ()))


_cache: dict[tuple[str, ...], AllowList] = {}


def _parsed(entries: tuple[str, ...]) -> AllowList:
    if entries not in _cache:
        try:
            _cache[entries] = AllowList.parse(entries)
        except ValueError as exc:  # the system check names it too; meanwhile only documented addresses
            logger.error("%s: treated as empty", exc)
            _cache[entries] = AllowList()
    return _cache[entries]


def url_guard(kind: str) -> UrlGuard:
    """The URL checks for a provider kind under the operator's ``PROVIDER_URL_ALLOWLIST``."""
    return UrlGuard(provider=str(kind), allowlist=allowlist())


def routing_credentials(kind: str) -> frozenset[str]:
    """Credentials that are part of the request path (Telphin's extension id)."""
    return frozenset(c.name for c in spec_for(kind).credentials if c.routing)


def refusal_text(reason: str) -> str:
    return str(REFUSALS[refusal_reason(reason)])


def base_url_problem(kind: str, url: str) -> str:
    """Why ``url`` cannot be this kind's base URL; empty when it can (or is empty: the documented one)."""
    if not url:
        return ""
    try:
        url_guard(kind).check_base_url(url)
    except RequestRefused as exc:
        return refusal_text(exc.reason)
    return ""


def _path_problem(option: OptionField, value: str) -> str:
    if not value:
        return ""
    try:
        check_path(value, template=True)
    except RequestRefused as exc:
        return refusal_text(exc.reason)
    if not value.startswith("/"):
        return _("a path starts with “/”.")
    names = {field for _text, field, _spec, _conv in string.Formatter().parse(value) if field is not None}
    placeholders = option.path_placeholders or frozenset()
    unknown = names - placeholders
    if unknown or "{}" in value:
        allowed = ", ".join("{" + n + "}" for n in sorted(placeholders)) or _("none")
        return _("unknown placeholder; allowed here: %(allowed)s.") % {"allowed": allowed}
    return ""


def _as_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    return None


def _clean_one(option: OptionField, value: Any) -> tuple[Any, str]:
    if option.kind == "choice":
        allowed = [str(key) for key, _label in option.choices]
        if str(value) not in allowed:
            return value, _("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": ", ".join(allowed)}
        return str(value), ""
    if option.kind == "int":
        try:
            number = int(value)
        except (TypeError, ValueError):
            return value, _("a whole number is needed.")
        too_low = option.min_value is not None and number < option.min_value
        too_high = option.max_value is not None and number > option.max_value
        if too_low or too_high:
            return value, _("out of range.")
        return number, ""
    if option.kind == "list":
        items = _as_list(value if value is not None else [])
        if items is None:
            return value, _("a list of values, one per line, is needed.")
        if option.phone_numbers:
            numbers: list[str] = []
            for item in items:
                try:
                    fax_number = parse_international_digits(item)
                except ValueError as exc:
                    return value, str(exc)
                if fax_number not in numbers:
                    numbers.append(fax_number)
            return numbers, ""
        return items, ""
    if value is None:
        value = ""
    if not isinstance(value, str | int | float):
        return value, _("a text is needed.")
    text = str(value).strip()
    if option.path_placeholders is not None:
        return text, _path_problem(option, text)
    return text, ""


def clean_options(kind: str, options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The options normalised, and what is wrong with each bad one (by option name).

    Options this kind does not declare (kept by other features) pass unchanged.
    """
    cleaned: dict[str, Any] = dict(options)
    errors: dict[str, str] = {}
    for option in spec_for(kind).options:
        if option.name not in options:
            continue
        value, problem = _clean_one(option, options[option.name])
        if problem:
            errors[option.name] = problem
        else:
            cleaned[option.name] = value
    return cleaned, errors


def routing_changed(kind: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """True when ``new`` options send requests somewhere else than ``old`` did."""
    return any(
        (old.get(o.name) or o.default or "") != (new.get(o.name) or o.default or "")
        for o in spec_for(kind).options
        if o.path_placeholders is not None
    )


def options_of(account: ProviderAccount, spec: ProviderSpec[Any, OptionsT]) -> OptionsT:
    """``account``'s options, cleaned and typed; an empty or invalid value reads as its default.

    ValueError when ``account`` is not of ``spec``'s kind.
    """
    if account.kind != spec.kind:
        raise ValueError(f"a {account.kind} account has no {spec.kind} options")
    return typed_options(spec, account.options or {})


def fax_options(account: ProviderAccount) -> FaxOptions:
    """The fax options of an account of any fax provider, typed; ValueError for a provider without fax."""
    spec = spec_for(account.kind)
    if not spec.can(Capability.FAX):
        raise ValueError(f"a {account.kind} account has no fax options")
    return cast(FaxOptions, typed_options(spec, account.options or {}))


def typed_options(spec: ProviderSpec[Any, OptionsT], options: Mapping[str, Any]) -> OptionsT:
    cleaned, errors = clean_options(spec.kind, options)
    values: dict[str, Any] = {}
    for option in spec.options:
        value = cleaned.get(option.name)
        if option.name in errors or value in (None, "", [], ()):
            continue
        values[option.name] = tuple(value) if isinstance(value, list) else value
    return spec.options_type(**values)
