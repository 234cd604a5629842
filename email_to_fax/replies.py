"""The answers to whoever mailed a fax: refused (why, nothing sent), queued, and finished (delivered or failed).

Each is sent once: a conditional update claims it (``InboundMail.replied_at``, ``MailFax.finished_reply_at``)
before the mail goes out, and a failed send gives the claim back for the task's next try. The text is written
in the member's language (their last choice), else the site's.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.phones import display_digits
from fax.models import UNFINISHED, Fax, Status

from .models import InboundMail, MailFax, MailState

log = logging.getLogger(__name__)


def reply_queue(*, mail_id: int) -> None:
    from .tasks import send_mail_reply

    send_mail_reply.delay_on_commit(mail_id)


def fax_finished_reply_queue(sender: Any, *, fax: Fax, **kwargs: Any) -> None:
    """fax's ``fax_finished`` signal: a fax that came from a mail has ended; its sender is told after the commit."""
    if fax.status in UNFINISHED or not MailFax.objects.filter(fax_id=fax.pk, finished_reply_at__isnull=True).exists():
        return
    from .tasks import send_finished_reply

    send_finished_reply.delay_on_commit(fax.pk)


def _language(mail: InboundMail) -> str:
    return (mail.member.language if mail.member is not None else "") or settings.LANGUAGE_CODE


def _address(mail: InboundMail) -> str:
    """A member is answered at their own sign-in address (never a Reply-To the mail chose); others at From."""
    return mail.member.email if mail.member is not None else mail.sender


def _link(fax_id: int) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{reverse('fax-detail', args=[fax_id])}"


def _send(mail: InboundMail, subject: str, body: str) -> None:
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[_address(mail)],
        headers={
            "In-Reply-To": mail.message_id,
            "References": mail.message_id,
            "Auto-Submitted": "auto-replied",  # RFC 3834: no auto-responder answers it back
        },
    )
    message.send()


def mail_reply_send(*, mail_id: int) -> str:
    """The answer to a mail: why it was refused, or which faxes were queued. Once."""
    mail = InboundMail.objects.select_related("member", "team").filter(pk=mail_id).first()
    if mail is None or not mail.sender:
        return "gone"
    if not InboundMail.objects.filter(pk=mail_id, replied_at__isnull=True).update(replied_at=timezone.now()):
        return "already sent"
    try:
        with override(_language(mail)):
            subject, body = _refused(mail) if mail.state == MailState.REFUSED else _queued(mail)
            _send(mail, subject, body)
    except Exception:
        InboundMail.objects.filter(pk=mail_id).update(replied_at=None)  # the task's next try sends it
        raise
    return "sent"


def _refused(mail: InboundMail) -> tuple[str, str]:
    subject = _("Not faxed: %(subject)s") % {"subject": mail.subject or _("(no subject)")}
    body = "\n\n".join(
        [
            _("Your mail was not faxed:"),
            mail.reason_text,
            _("Nothing was sent."),
        ]
    )
    return subject, body


def _queued(mail: InboundMail) -> tuple[str, str]:
    faxes = [mf.fax for mf in mail.mail_faxes.select_related("fax__account").order_by("fax_id")]
    subject = _("Fax queued: %(subject)s") % {"subject": mail.subject or _("(no subject)")}
    lines = [_("Your mail became these faxes; you will get another mail when each has been sent or has failed.")]
    for fax in faxes:
        lines.append(
            _("To %(number)s, %(pages)s pages, through %(account)s: %(link)s")
            % {
                "number": display_digits(fax.remote_number),
                "pages": fax.pages or "?",
                "account": fax.account.label if fax.account else "—",
                "link": _link(fax.pk),
            }
        )
    return subject, "\n\n".join(lines)


def finished_reply_send(*, fax_id: int) -> str:
    """The answer once a mailed fax has ended: delivered, failed with the reason, or cancelled. Once."""
    link = MailFax.objects.select_related("mail__member", "mail__team", "fax").filter(fax_id=fax_id).first()
    if link is None:
        return "not mailed"
    fax = link.fax
    if fax.status in UNFINISHED:
        return "not finished"
    if not MailFax.objects.filter(pk=link.pk, finished_reply_at__isnull=True).update(finished_reply_at=timezone.now()):
        return "already sent"
    mail = link.mail
    try:
        with override(_language(mail)):
            subject, body = _finished(fax)
            _send(mail, f"{subject}: {mail.subject}" if mail.subject else subject, body)
    except Exception:
        MailFax.objects.filter(pk=link.pk).update(finished_reply_at=None)
        raise
    if not MailFax.objects.filter(mail=mail, finished_reply_at__isnull=True).exists():
        InboundMail.objects.filter(pk=mail.pk).update(state=MailState.FINISHED)
    return "sent"


def _finished(fax: Fax) -> tuple[str, str]:
    values = {"number": display_digits(fax.remote_number), "pages": fax.pages or "?", "link": _link(fax.pk)}
    if fax.status == Status.SENT:
        return _("Fax delivered"), _("Your fax to %(number)s was delivered (%(pages)s pages).\n\n%(link)s") % values
    if fax.status == Status.CANCELLED:
        return _("Fax cancelled"), _("Your fax to %(number)s was cancelled.\n\n%(link)s") % values
    reason = fax.error_text or fax.provider_status_text or _("The provider gave no reason.")
    return _("Fax failed"), _("Your fax to %(number)s failed: %(reason)s\n\n%(link)s") % {**values, "reason": reason}
