"""How many notifications a member has not read: the bell on every page.

Kept in the shared cache per team until one of the team's notifications is written (a new one, one marked
read): ``core.cached_reads``. ``Notification.save`` tells it through ``post_save``; writes that bypass
``save`` (``notifications_mark_read``'s ``update``) call ``unread_changed`` themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Team, User
from core.cached_reads import cached_read, cached_read_forget

from .models import Notification

UNREAD_CACHE_SECONDS = 300


def _scope(team_id: int) -> str:
    return f"unread:{team_id}"


def unread_count(*, team: Team, user: User, cap: int) -> int:
    """Up to ``cap + 1``: a bounded read, not ``COUNT(*)`` (a team may have thousands unread)."""

    def read() -> int:
        unread = Notification.objects.filter(team=team, read_at__isnull=True).visible_to(user)
        return len(unread.values_list("pk", flat=True)[: cap + 1])

    return cached_read(_scope(team.pk), f"{user.pk}:{cap}", read, seconds=UNREAD_CACHE_SECONDS)


def unread_changed(*, team_id: int) -> None:
    cached_read_forget(_scope(team_id))


@receiver(post_save, sender=Notification, dispatch_uid="notifications.unread_changed")
def _notification_saved(sender: Any, instance: Notification, **kwargs: Any) -> None:
    unread_changed(team_id=instance.team_id)
