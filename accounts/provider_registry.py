"""The provider kinds the portal knows: one ``ProviderSpec`` each, listed once, here.

Everything by kind asks here: the account form (kind choices, credential and
option fields), option cleaning, ``client_for``, the connection check, the
fax gateways (keyed by the spec they serve). Adding a provider is a client in
``providers/``, an emulator in ``sandbox/``, a spec module in
``accounts/provider_specs/`` named in ``BUILT_IN`` below and, if it faxes, a
gateway in ``fax/gateways/`` (docs/architecture.md, "Adding a provider").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .provider_spec import ProviderSpec
from .provider_specs.pasifik import PASIFIK
from .provider_specs.telphin import TELPHIN
from .provider_specs.telsam import TELSAM
from .provider_specs.verimor import VERIMOR

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AnySpec = ProviderSpec[Any, Any]

BUILT_IN: tuple[AnySpec, ...] = (PASIFIK, TELSAM, VERIMOR, TELPHIN)

_specs: dict[str, AnySpec] = {spec.kind: spec for spec in BUILT_IN}


def spec_for(kind: str) -> AnySpec:
    """The spec of ``kind``; ValueError for a kind the portal does not know."""
    try:
        return _specs[kind]
    except KeyError:
        raise ValueError(f"unknown provider kind {kind!r}") from None


def is_known(kind: str) -> bool:
    return kind in _specs


def all_specs() -> tuple[AnySpec, ...]:
    return tuple(_specs.values())


def kind_label(kind: str) -> StrOrPromise:
    """What ``get_kind_display()`` shows (the kind itself when unknown), by one lookup: the field's choices are
    a callable, and Django's display rebuilds and hashes them on every call (a list page's 50 accounts)."""
    spec = _specs.get(kind)
    return kind if spec is None else spec.label


def kind_choices() -> list[tuple[str, StrOrPromise]]:
    """The model field's and the account form's choices (a callable: a new kind needs no migration)."""
    return [(spec.kind, spec.label) for spec in _specs.values()]


@contextmanager
def registered(spec: AnySpec) -> Iterator[AnySpec]:
    """``spec`` known for the duration (tests: a provider that exists only there)."""
    if spec.kind in _specs:
        raise ValueError(f"provider kind {spec.kind!r} is registered already")
    _specs[spec.kind] = spec
    try:
        yield spec
    finally:
        del _specs[spec.kind]
