"""`make demo`'s mailbox: a folder the worker reads, with a sample mail dropped by `email_to_fax_demo`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from email_to_fax.models import Mailbox, MailboxKind
from email_to_fax.tasks import poll_mailboxes
from fax.models import Fax
from sandbox.management.commands.fax_demo import DEMO_RECIPIENT

pytestmark = pytest.mark.django_db


def test_the_demo_mailbox_turns_the_sample_mail_into_a_fax_and_answers_its_sender(
    sandbox_url, settings, tmp_path, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_TO_FAX_FOLDER_ROOT = str(tmp_path / "fax-mail")
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo_setup", sandbox_url=sandbox_url, stdout=io.StringIO())
    out = io.StringIO()
    call_command("email_to_fax_demo", stdout=out)

    mailbox = Mailbox.objects.get()
    assert mailbox.kind == MailboxKind.FOLDER and "dropped" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        poll_mailboxes.delay()

    fax = Fax.objects.get(remote_number=DEMO_RECIPIENT, created_by__isnull=False)
    assert fax.account == mailbox.account
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Fax queued"]
    assert list((tmp_path / "fax-mail" / "demo").glob("*.eml")) == []  # read: moved to done/
    assert len(list((tmp_path / "fax-mail" / "demo" / "done").glob("*.eml"))) == 1
