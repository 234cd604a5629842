"""The portal's SMTP receiver (aiosmtpd, in-process) spoken to over real SMTP with smtplib."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest

from email_to_fax.models import InboundMail, Mailbox, MailboxKind
from email_to_fax.smtp_receiver import receiver
from fax.models import Fax
from tests.email_to_fax.mails import OK_NUMBER, mail_bytes
from tests.imap_server import free_port

# The receiver reads the database from its own threads: the test's rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_port(settings) -> Iterator[int]:
    settings.EMAIL_TO_FAX_DOMAIN = "fax.example.com"
    port = free_port()
    controller = receiver("127.0.0.1", port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def receiver_mailbox(team_a, fax_account) -> Mailbox:
    return Mailbox.objects.create(
        team=team_a, enabled=True, kind=MailboxKind.SMTP, address_name="team-a", account=fax_account
    )


def test_a_mail_to_a_numbers_address_becomes_a_fax(smtp_port, receiver_mailbox, alice, sandbox, mailoutbox) -> None:
    address = f"{OK_NUMBER}@team-a.fax.example.com"
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        refused = client.sendmail("alice@example.com", [address], mail_bytes(to=address, subject="Contract"))

    assert refused == {}
    [fax] = Fax.objects.all()
    assert fax.remote_number == OK_NUMBER and fax.created_by == alice
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Fax queued"]


def test_the_same_mail_delivered_twice_sends_once(smtp_port, receiver_mailbox, alice, sandbox, mailoutbox) -> None:
    address = f"{OK_NUMBER}@team-a.fax.example.com"
    raw = mail_bytes(to=address, message_id="<again@mail.example.com>")
    for _ in range(2):  # the sending server did not hear our 250 and delivers again
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
            client.sendmail("alice@example.com", [address], raw)

    assert Fax.objects.count() == 1 and InboundMail.objects.count() == 1


def test_an_address_of_no_mailbox_is_refused_at_the_door(smtp_port, receiver_mailbox, alice, sandbox) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("alice@example.com", [f"{OK_NUMBER}@other.fax.example.com"], mail_bytes())
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("alice@example.com", ["someone@example.org"], mail_bytes())  # no open relay

    assert not InboundMail.objects.exists()


def test_a_stranger_mailing_the_receiver_gets_a_refusal(
    smtp_port, receiver_mailbox, alice, sandbox, mailoutbox
) -> None:
    address = f"{OK_NUMBER}@team-a.fax.example.com"
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
        client.sendmail("mallory@example.net", [address], mail_bytes(sender="mallory@example.net", to=address))

    assert not Fax.objects.exists()
    [reply] = mailoutbox
    assert reply.to == ["mallory@example.net"] and reply.subject.startswith("Not faxed")
