"""The SMTP capture server the mail tests stand on receives what Django's SMTP backend sends."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail import EmailMessage, get_connection

from tests.mail_servers import SmtpCapture


def test_it_receives_a_mail_with_its_attachment_over_smtp(smtp_server: SmtpCapture) -> None:
    mail = EmailMessage("Hello", "Body text", "portal@example.com", ["bob@example.com"])
    mail.attach("doc.pdf", b"%PDF-1.4 test", "application/pdf")
    mail.send()

    (got,) = smtp_server.wait_for(1)
    assert got.rcpt_tos == ["bob@example.com"]
    assert got.subject == "Hello"
    assert "Body text" in got.text()
    assert got.attachments() == [("doc.pdf", "application/pdf", b"%PDF-1.4 test")]
    assert smtp_server.to("BOB@example.com") == [got]


def test_a_server_that_is_down_refuses_the_connection_and_comes_back_on_its_port(smtp_server: SmtpCapture) -> None:
    with smtp_server.down(), pytest.raises(OSError):
        EmailMessage("Lost", "x", "portal@example.com", ["bob@example.com"]).send()
    EmailMessage("Back", "x", "portal@example.com", ["bob@example.com"]).send()
    assert [m.subject for m in smtp_server.wait_for(1)] == ["Back"]


def test_a_rejected_recipient_is_refused_with_a_permanent_error(smtp_server: SmtpCapture) -> None:
    smtp_server.reject("gone@example.com")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        get_connection().send_messages([EmailMessage("x", "x", "portal@example.com", ["gone@example.com"])])
    assert refused.value.recipients["gone@example.com"][0] == 550
    assert smtp_server.messages == []


def test_a_server_that_hangs_up_after_the_data_leaves_the_sender_without_an_answer(smtp_server: SmtpCapture) -> None:
    smtp_server.hang_up_after_data = True
    with pytest.raises(smtplib.SMTPServerDisconnected):
        EmailMessage("x", "x", "portal@example.com", ["bob@example.com"]).send()
    assert smtp_server.messages == []
