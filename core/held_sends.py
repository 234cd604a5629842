"""When a send scheduled for later stays in the portal (editable, cancellable) rather than go to the provider.

One rule for SMS and fax: a send due later than ``SEND_HOLD_THRESHOLD_MINUTES`` from now is held
in a "scheduled" state; the worker hands it to the provider once it is due within that many
minutes, with the provider's own schedule field set to its exact time (so it still leaves on the
minute). A send due sooner goes to the provider at once, as an unscheduled one does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

DEFAULT_HOLD_THRESHOLD_MINUTES = 5


def hold_threshold() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "SEND_HOLD_THRESHOLD_MINUTES", DEFAULT_HOLD_THRESHOLD_MINUTES)))


def is_held(scheduled_at: datetime | None, now: datetime) -> bool:
    """Whether a send due at ``scheduled_at`` waits in the portal rather than going out now."""
    return scheduled_at is not None and scheduled_at > now + hold_threshold()


def release_horizon(now: datetime) -> datetime:
    """A held send due at or before this time is handed to the provider now."""
    return now + hold_threshold()
