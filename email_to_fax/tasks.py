"""Celery entry points for email to fax: thin, they take ids and call services."""

from __future__ import annotations

import smtplib
from typing import Any

from celery import shared_task
from django.conf import settings

from core.tasks import Task
from fax.documents import memory_cap

from .mailboxes import mailbox_poll
from .models import Mailbox, MailboxKind
from .replies import finished_reply_send, mail_reply_send

# A mail server that is down or refusing: the answer is tried again later (its claim was given back).
MAIL_ERRORS = (OSError, smtplib.SMTPException)
# Both replies: retried with backoff for about a day while the mail server is down.
REPLY_TASK_OPTIONS: dict[str, Any] = {
    "base": Task,
    "autoretry_for": MAIL_ERRORS,
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "max_retries": 24,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(base=Task, name="email_to_fax.poll_mailboxes", soft_time_limit=30, time_limit=60)
def poll_mailboxes() -> str:
    ids = list(
        Mailbox.objects.filter(enabled=True, kind__in=[MailboxKind.IMAP, MailboxKind.FOLDER]).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        poll_mailbox.delay(pk)
    return f"polling {len(ids)}"


# One poll of a mailbox at a time is not needed for correctness (the Message-ID claim), only for thrift.
@shared_task(base=Task, name="email_to_fax.poll_mailbox", bind=True, soft_time_limit=600, time_limit=660)
def poll_mailbox(self: Task, mailbox_id: int) -> str:
    mailbox = Mailbox.objects.select_related("team").filter(pk=mailbox_id).first()
    if mailbox is None:
        return "gone"
    if self.request.is_eager:
        return mailbox_poll(mailbox=mailbox)
    with memory_cap(settings.FAX_RENDER_MEMORY_MB):  # the mail's documents are rendered here
        return mailbox_poll(mailbox=mailbox)


@shared_task(name="email_to_fax.send_mail_reply", **REPLY_TASK_OPTIONS)
def send_mail_reply(mail_id: int) -> str:
    return mail_reply_send(mail_id=mail_id)


@shared_task(name="email_to_fax.send_finished_reply", **REPLY_TASK_OPTIONS)
def send_finished_reply(fax_id: int) -> str:
    return finished_reply_send(fax_id=fax_id)
