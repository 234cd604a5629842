"""The team's IMAP mailbox read from a real Dovecot (tests/imap_server.py), through the beat's tasks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from email_to_fax import intake
from email_to_fax.models import ImapSecurity, InboundMail, Mailbox, MailboxKind, MailboxState
from email_to_fax.tasks import poll_mailbox, poll_mailboxes
from fax.models import Fax, Status
from fax.tasks import poll_outgoing_faxes
from notifications.models import Kind, Notification
from sandbox.pasifik import FAX_DELIVERY_SECONDS
from tests.email_to_fax.mails import OK_NUMBER, mail_bytes
from tests.imap_server import ImapServer, running_imap_server

pytestmark = pytest.mark.django_db

USER, PASSWORD = "faxes@team-a.example.com", "imap-s3cret"


@pytest.fixture
def imap() -> Iterator[ImapServer]:
    with running_imap_server({USER: PASSWORD}) as server:
        yield server


@pytest.fixture
def imap_mailbox(imap, team_a, fax_account) -> Mailbox:
    return Mailbox.objects.create(
        team=team_a,
        enabled=True,
        kind=MailboxKind.IMAP,
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security=ImapSecurity.NONE,
        imap_user=USER,
        secrets={"password": PASSWORD},
        account=fax_account,
    )


def submits(sandbox) -> list:
    return [r for r in sandbox.requests_for("pasifik") if r.method == "POST" and "fax/submit" in r.path]


def test_a_mail_in_the_imap_mailbox_becomes_one_fax_at_the_sandbox_and_the_sender_gets_both_replies(
    imap, imap_mailbox, alice, sandbox, smtp_server, django_capture_on_commit_callbacks
) -> None:
    imap.append(USER, mail_bytes(subject="Fax: +90 212 555 01 23"))

    for _ in range(2):  # the beat polls again: the mail is read once
        with django_capture_on_commit_callbacks(execute=True):
            poll_mailboxes.delay()

    [fax] = Fax.objects.all()
    assert fax.remote_number == OK_NUMBER and fax.status == Status.SENDING
    assert len(submits(sandbox)) == 1
    assert imap.unseen(USER) == 0
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.state == MailboxState.OK

    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 120)
    with django_capture_on_commit_callbacks(execute=True):
        poll_outgoing_faxes.delay()  # the beat follows the fax until the provider says it was delivered

    assert Fax.objects.get().status == Status.SENT
    smtp_server.wait_for(2)
    replies = smtp_server.to("alice@example.com")  # through a real SMTP server, as the sender's mailbox gets them
    assert [m.subject.split(":")[0] for m in replies] == ["Fax queued", "Fax delivered"]
    assert "+90 212 555 01 23" in replies[1].text()
    assert len(submits(sandbox)) == 1


def test_the_same_mail_appended_twice_sends_once(
    imap, imap_mailbox, alice, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    raw = mail_bytes(message_id="<twice@mail.example.com>")
    imap.append(USER, raw)
    imap.append(USER, raw)  # forwarded twice, or a second client copied it back

    with django_capture_on_commit_callbacks(execute=True):
        poll_mailbox.delay(imap_mailbox.pk)

    assert Fax.objects.count() == 1 and len(submits(sandbox)) == 1
    assert imap.unseen(USER) == 0


def test_a_mailbox_that_refuses_the_login_is_shown_and_told_and_loses_nothing(
    imap, imap_mailbox, alice, alice_client, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    imap.append(USER, mail_bytes())
    imap_mailbox.secrets = {"password": "wrong-password"}
    imap_mailbox.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert poll_mailbox.delay(imap_mailbox.pk).get() == "login failed"
        poll_mailbox.delay(imap_mailbox.pk)  # told once, not on every poll

    imap_mailbox.refresh_from_db()
    assert imap_mailbox.state == MailboxState.LOGIN_FAILED
    assert "wrong-password" not in imap_mailbox.state_detail
    [notice] = Notification.objects.filter(kind=Kind.FAX_MAILBOX_FAILING)
    assert "login refused" in notice.message
    page = alice_client.get("/email-to-fax/").content.decode()
    assert "Login refused" in page and "correct the settings below" in page
    assert "wrong-password" not in page and PASSWORD not in page
    assert imap.unseen(USER) == 1 and not Fax.objects.exists()

    imap_mailbox.secrets = {"password": PASSWORD}
    imap_mailbox.save()
    with django_capture_on_commit_callbacks(execute=True):
        poll_mailbox.delay(imap_mailbox.pk)

    assert Fax.objects.count() == 1 and imap.unseen(USER) == 0
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.state == MailboxState.OK
    assert Notification.objects.get(kind=Kind.FAX_MAILBOX_FAILING).cleared_at is not None


def test_a_server_that_does_not_answer_is_shown(imap_mailbox, django_capture_on_commit_callbacks) -> None:
    imap_mailbox.imap_port = 9  # nothing listens there
    imap_mailbox.save()

    assert poll_mailbox.delay(imap_mailbox.pk).get() == "unreachable"
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.state == MailboxState.UNREACHABLE


def test_a_mail_too_big_to_download_is_refused_from_its_header(
    imap, imap_mailbox, alice, sandbox, mailoutbox, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_TO_FAX_MAX_MB = 1
    imap.append(USER, mail_bytes(attachments=[("big.pdf", b"%PDF-1.4\n" + b"0" * (1536 * 1024))]))

    with django_capture_on_commit_callbacks(execute=True):
        poll_mailbox.delay(imap_mailbox.pk)

    mail = InboundMail.objects.get()
    assert mail.reason_key == "mail_too_big" and mail.size > 1024 * 1024
    assert not Fax.objects.exists() and not submits(sandbox)
    [reply] = mailoutbox
    assert reply.subject.startswith("Not faxed") and "larger than 1 MB" in reply.body
    assert imap.unseen(USER) == 0


def test_a_mail_whose_reading_broke_off_is_read_again_on_the_next_poll(
    imap, imap_mailbox, alice, sandbox, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    imap.append(USER, mail_bytes())
    real = intake.drafts.draft_render

    def crash(**kwargs):
        raise RuntimeError("worker lost mid-way")

    monkeypatch.setattr(intake.drafts, "draft_render", crash)
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_mailbox.delay(imap_mailbox.pk).get() == "read 0"
    assert imap.unseen(USER) == 1 and not InboundMail.objects.exists()  # no claim left behind
    assert mailoutbox == []

    monkeypatch.setattr(intake.drafts, "draft_render", real)
    with django_capture_on_commit_callbacks(execute=True):
        poll_mailbox.delay(imap_mailbox.pk)
    assert Fax.objects.count() == 1 and imap.unseen(USER) == 0
