"""Validation of a provider account's options and of where its requests go.

One place decides what a stored option may hold: the account form, the save
service and ``client_for`` (for rows saved before a rule existed) all ask here.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping
from typing import Any

import phonenumbers
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from providers.errors import RequestRefused
from providers.urlsafety import AllowList, UrlGuard, check_path

from .provider_kinds import OptionField, spec_for

# Options that route requests, with the placeholders each may hold (a path under the base URL).
ROUTING_OPTIONS: dict[str, frozenset[str]] = {
    "authorize_url": frozenset(),
    "send_path": frozenset(),
    "download_path": frozenset({"id"}),
    "received_list_path": frozenset({"extension_id"}),
    "received_file_path": frozenset({"extension_id", "uuid"}),
}
# Credentials that are part of the request path (Telphin's extension id).
ROUTING_CREDENTIALS = frozenset({"extension_id"})
NUMBER_OPTIONS = frozenset({"fax_numbers"})
DEFAULT_REGION = "TR"
logger = logging.getLogger(__name__)
_DIGITS = re.compile(r"\D")


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


# Why we refused an address or path, in words (one sentence per reason; never per target).
REFUSALS: dict[str, Promise] = {
    "address": gettext_lazy(
        "this address is not allowed for this provider. Use the provider's documented address, "
        "or ask the operator to add it to PROVIDER_URL_ALLOWLIST."
    ),
    "scheme": gettext_lazy("only http:// and https:// addresses can be used."),
    "userinfo": gettext_lazy("the address must not contain a user name or password."),
    "query": gettext_lazy("the base URL must not contain “?” or “#”."),
    "syntax": gettext_lazy("the address must not contain spaces, control characters or backslashes."),
    "path": gettext_lazy(
        "a path must be a plain path under the base URL (such as /fax/send): "
        "not a full address, and without “?”, “#”, “%” or “..”."
    ),
}


def refusal_reason(reason: str) -> str:
    """A known refusal reason (an unknown one reads as ``address``)."""
    return reason if reason in REFUSALS else "address"


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


def _path_problem(name: str, value: str) -> str:
    if not value:
        return ""
    try:
        check_path(value, template=True)
    except RequestRefused as exc:
        return refusal_text(exc.reason)
    if not value.startswith("/"):
        return _("a path starts with “/”.")
    names = {field for _text, field, _spec, _conv in string.Formatter().parse(value) if field is not None}
    unknown = names - ROUTING_OPTIONS[name]
    if unknown or "{}" in value:
        allowed = ", ".join("{" + n + "}" for n in sorted(ROUTING_OPTIONS[name])) or _("none")
        return _("unknown placeholder; allowed here: %(allowed)s.") % {"allowed": allowed}
    return ""


def normalise_fax_number(raw: str) -> str:
    """``0212 963 01 99`` → ``902129630199`` (international digits, as fax numbers are stored); ValueError."""
    text = str(raw).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    candidates = [text] if text.startswith("+") else [text, "+" + _DIGITS.sub("", text)]
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
    raise ValueError(_("“%(value)s” is not a valid phone number.") % {"value": raw})


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
        if option.name in NUMBER_OPTIONS:
            numbers: list[str] = []
            for item in items:
                try:
                    number = normalise_fax_number(item)
                except ValueError as exc:
                    return value, str(exc)
                if number not in numbers:
                    numbers.append(number)
            return numbers, ""
        return items, ""
    if value is None:
        value = ""
    if not isinstance(value, str | int | float):
        return value, _("a text is needed.")
    text = str(value).strip()
    if option.name in ROUTING_OPTIONS:
        return text, _path_problem(option.name, text)
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
    defaults = {o.name: o.default for o in spec_for(kind).options}
    return any(
        (old.get(name) or defaults.get(name) or "") != (new.get(name) or defaults.get(name) or "")
        for name in ROUTING_OPTIONS
        if name in defaults
    )
