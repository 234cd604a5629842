"""The answers to a mail's sender go out once, and a mail server that is down loses none of them."""

from __future__ import annotations

import smtplib

import pytest

from email_to_fax.intake import mail_take
from email_to_fax.models import InboundMail
from email_to_fax.replies import mail_reply_send
from tests.email_to_fax.mails import mail_bytes

pytestmark = pytest.mark.django_db


def test_a_reply_the_mail_server_could_not_take_is_sent_once_it_is_back(
    alice, mailbox, sandbox, smtp_server, monkeypatch
) -> None:
    from email_to_fax import replies

    monkeypatch.setattr(replies, "reply_queue", lambda **kwargs: None)  # the task's tries are made by hand here
    monkeypatch.setattr("email_to_fax.intake.reply_queue", lambda **kwargs: None)
    mail = mail_take(mailbox=mailbox, raw=mail_bytes(attachments=())).mail

    with smtp_server.down(), pytest.raises((OSError, smtplib.SMTPException)):
        mail_reply_send(mail_id=mail.pk)  # the task retries on these (autoretry_for), with backoff
    assert InboundMail.objects.get(pk=mail.pk).replied_at is None  # the claim was given back

    assert mail_reply_send(mail_id=mail.pk) == "sent"
    assert mail_reply_send(mail_id=mail.pk) == "already sent"
    [reply] = smtp_server.wait_for(1)
    assert reply.rcpt_tos == ["alice@example.com"] and reply.subject.startswith("Not faxed")
    assert reply.message["In-Reply-To"] == mail.message_id
