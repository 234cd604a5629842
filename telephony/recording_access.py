"""Whether a member may hear (or download) one call's recording: the one function views, templates and
any later API ask.

Two things decide: the member's role against the team's lowest role for ``listen_recordings`` or
``download_recordings`` (``Membership.can``, which reads the team's overrides), and, when the member is
limited to some extensions or numbers (``Membership.recording_numbers``), whether the call was from or to
one of them. A call outside the limit is answered like a recording that does not exist (404), so a
limited member learns nothing about it; a role below the team's choice is a 403 like every other page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from accounts.models import Membership

from .numbers import normalize_number

RECORDING_PERMISSIONS = ("listen_recordings", "download_recordings")


class CallNumbers(Protocol):
    """A call record or a list row of one (selectors.CallRow): its two numbers are all the limit reads."""

    @property
    def caller(self) -> str: ...

    @property
    def callee(self) -> str: ...


def _normalized(values: Iterable[str]) -> set[str]:
    return {normalize_number(v) for v in values if v and v.strip()}


def call_in_limit(membership: Membership, call: CallNumbers) -> bool:
    """True unless the member is limited to some numbers and the call is from or to none of them."""
    if not membership.recording_numbers:
        return True
    return bool(_normalized(membership.recording_numbers) & _normalized((call.caller, call.callee)))


def recording_permitted(
    membership: Membership | None, call: CallNumbers, permission: str = "listen_recordings"
) -> bool:
    """``call`` comes from the member's own team (every view reads calls through ``team_queryset``)."""
    if permission not in RECORDING_PERMISSIONS:
        raise ValueError(f"not a recording permission: {permission!r}")
    if membership is None:
        return False
    return membership.can(permission) and call_in_limit(membership, call)


def recording_check(
    membership: Membership | None, permission: str = "listen_recordings"
) -> Callable[[CallNumbers], bool]:
    """``recording_permitted`` for many calls of one member (a list page): the role and the limit's numbers are
    read once, not once per row."""
    if permission not in RECORDING_PERMISSIONS:
        raise ValueError(f"not a recording permission: {permission!r}")
    if membership is None or not membership.can(permission):
        return lambda call: False
    if not membership.recording_numbers:
        return lambda call: True
    limit = _normalized(membership.recording_numbers)
    return lambda call: bool(limit & _normalized((call.caller, call.callee)))
