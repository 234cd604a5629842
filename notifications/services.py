"""Telling a team what happened: in-app notifications, optionally emailed.

``notify`` is safe to call from anywhere (services, tasks, inside a transaction):
the email goes out after the commit, through a task, and a mail failure never
reaches the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.balance import balance_refresh, cached_balance
from accounts.models import ProviderAccount, Team, User
from accounts.provider_options import options_of
from accounts.provider_specs.pasifik import PASIFIK
from accounts.stored_text import StoredText

from .messages import notification_text_in
from .models import Kind, Notification
from .unread import unread_changed

log = logging.getLogger(__name__)


def notify(
    *,
    team: Team,
    kind: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    email: bool = True,
    key: str = "",
    recipient: User | None = None,
) -> Notification | None:
    """Records a notification; with ``key``, only while no earlier one for the same condition is open.

    ``params`` are plain values (str, int, ISO times) the kind's sentence is written from, in the
    language of whoever reads it. With ``recipient``, only that member sees it and the email goes
    to them; otherwise the whole team sees it and it is emailed to the team's address.
    Returns the new notification, or None when the condition was already told.
    """
    if key and Notification.objects.filter(team=team, key=key, cleared_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                team=team, kind=kind, params=params or {}, url=url[:300], key=key[:100], recipient=recipient
            )
    except IntegrityError:  # another worker told the same condition a moment ago
        return None
    if email and _email_address(notification):
        from .tasks import notification_email_send

        # A broker hiccup must not break the work that caused the notice: it is logged.
        notification_email_send.delay_on_commit(notification.pk)
    return notification


def _email_address(notification: Notification) -> str:
    if notification.recipient is not None:
        return notification.recipient.email if notification.recipient.is_active else ""
    return notification.team.notification_email


def email_language(notification: Notification) -> str:
    """A member's own choice of language, else the site's default language."""
    chosen = notification.recipient.language if notification.recipient is not None else ""
    return chosen or settings.LANGUAGE_CODE


def condition_clear(*, team: Team, key: str) -> int:
    """The condition behind ``key`` is over: the next time it happens, it is told again."""
    return Notification.objects.filter(team=team, key=key, cleared_at__isnull=True).update(cleared_at=timezone.now())


def notification_email_send(*, notification_id: int) -> str:
    from django.core.mail import send_mail

    notification = Notification.objects.select_related("team", "recipient").filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    address = _email_address(notification)
    if not address:
        return "no address"
    if notification.emailed_at is not None:
        return "already sent"
    link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{notification.url}" if notification.url else ""
    label, text = notification_text_in(notification, email_language(notification))
    subject = f"[{notification.team.name}] {label}"
    body = text + (f"\n\n{link}" if link else "")
    try:
        send_mail(subject, body, None, [address])
    except Exception:  # SMTP down or refusing: the in-app notice stands, and the log says why
        log.exception("email for notification %s failed", notification_id)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return "sent"


def notifications_mark_read(
    *,
    team: Team,
    user: User | None = None,
    url: str | None = None,
    pk: int | None = None,
    kinds: Sequence[str] = (),
) -> int:
    """Marks the team's unread notifications read: all of them, those linking to ``url``, of ``kinds``, or one.

    With ``user``, only those that person sees (the team's, and their own).
    """
    unread = Notification.objects.filter(team=team, read_at__isnull=True)
    if user is not None:
        unread = unread.visible_to(user)
    if kinds:
        unread = unread.filter(kind__in=kinds)
    if url is not None:
        unread = unread.filter(url=url)
    if pk is not None:
        unread = unread.filter(pk=pk)
    marked = unread.update(read_at=timezone.now())
    if marked:
        unread_changed(team_id=team.pk)
    return marked


def notifications_mark_all_read(*, team: Team, actor: User, request: HttpRequest | None = None) -> int:
    count = notifications_mark_read(team=team, user=actor)
    audit_record(team=team, actor=actor, action="notifications.read_all", target=team, request=request, count=count)
    return count


def batch_finished_notify(
    *, team: Team, batch_id: int, sender: str, delivered: int, undelivered: int, failed: int = 0
) -> None:
    """A batch reached its end; chunks the provider never took make it "finished with failures"."""
    params = {"id": batch_id, "sender": sender, "delivered": delivered, "undelivered": undelivered}
    notify(
        team=team,
        kind=Kind.BATCH_FAILURES if failed else Kind.BATCH_FINISHED,
        params={**params, "failed": failed} if failed else params,
        url=reverse("sms-detail", args=[batch_id]),
    )


# --- recurring conditions -------------------------------------------------------------------------


def credentials_key(account: ProviderAccount) -> str:
    return f"credentials_failing:{account.pk}"


def low_balance_key(account: ProviderAccount) -> str:
    return f"low_balance:{account.pk}"


def provider_check_recorded(
    *, account: ProviderAccount, ok: bool, error: StoredText | str, was_healthy: bool | None
) -> None:
    """After a periodic provider check: tell the team when working credentials start failing."""
    if ok:
        condition_clear(team=account.team, key=credentials_key(account))
        return
    if was_healthy:
        notify(
            team=account.team,
            kind=Kind.CREDENTIALS_FAILING,
            params={"account": account.label, "error": error if isinstance(error, dict) else str(error)[:200]},
            url=reverse("dashboard") + "#panel-health",
            key=credentials_key(account),
        )


def balance_threshold(account: ProviderAccount) -> Decimal | None:
    """The admin's low-balance threshold for this account; None when not set (or not a number)."""
    value = options_of(account, PASIFIK).low_balance_threshold
    if not value:
        return None
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None


def balance_check(*, account: ProviderAccount) -> str:
    """Reads the account's balance (into the cache every page reads) and tells the team, once, when it
    falls under the threshold."""
    threshold = balance_threshold(account)
    if threshold is None:
        return "no threshold"
    balance_refresh(account_id=account.pk)  # in the worker: a fresh read, for the pages too
    found = cached_balance(account)
    if found.amount is None or found.failure:  # the provider check tells about failing credentials
        log.info("balance of account %s not read: %s", account.pk, found.failure or "nothing known")
        return "unreadable"
    if found.amount >= threshold:
        condition_clear(team=account.team, key=low_balance_key(account))
        return "ok"
    notify(
        team=account.team,
        kind=Kind.LOW_BALANCE,
        params={
            "account": account.label,
            "balance": str(found.amount),
            "currency": found.currency,
            "threshold": str(threshold),
        },
        url=reverse("dashboard") + "#panel-balance",
        key=low_balance_key(account),
    )
    return "low"


def balance_accounts() -> list[int]:
    """Active Pasifik accounts that have a low-balance threshold."""
    accounts = ProviderAccount.objects.filter(kind=PASIFIK.kind, is_active=True).only("pk", "kind", "options")
    return [a.pk for a in accounts if balance_threshold(a) is not None]
