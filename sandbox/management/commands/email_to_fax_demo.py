"""Gives the demo team a folder mailbox for email to fax and drops a sample mail in it (docs/fax-email.md).

The mailbox needs no server: it is a folder under EMAIL_TO_FAX_FOLDER_ROOT (`make demo` sets
var/fax-mail), read by the worker once a minute. A mailbox a person already set up is left as it is.
Run again for another sample mail.
"""

from __future__ import annotations

import uuid
from email import policy
from email.message import EmailMessage
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import Team
from email_to_fax.mailboxes import demo_folder
from email_to_fax.models import Mailbox, MailboxKind
from fax.forms import fax_accounts
from sandbox.management.commands.demo_setup import DEMO_PEOPLE
from sandbox.management.commands.fax_demo import DEMO_RECIPIENT, DEMO_TEAM
from sandbox.media import pdf_bytes


class Command(BaseCommand):
    help = "Makes the demo team's email-to-fax folder mailbox and drops a sample mail from its owner into it."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "EMAIL_TO_FAX_FOLDER_ROOT", ""):
            self.stdout.write("EMAIL_TO_FAX_FOLDER_ROOT is not set: no demo mailbox (make demo sets it).")
            return
        team = Team.objects.filter(name=DEMO_TEAM).first()
        accounts = fax_accounts(team) if team else []
        if team is None or not accounts:
            self.stdout.write("Run demo_setup first: the demo team and its fax accounts are missing.")
            return
        mailbox, made = Mailbox.objects.get_or_create(
            team=team,
            defaults={"kind": MailboxKind.FOLDER, "enabled": True, "address_name": "demo", "account": accounts[0]},
        )
        folder = demo_folder(mailbox) if mailbox.kind == MailboxKind.FOLDER else None
        if folder is None:
            self.stdout.write("The demo team's mailbox is not a folder mailbox: no sample mail dropped.")
            return
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sample-{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}.eml"
        account = mailbox.account.label if mailbox.account else ""
        path.write_bytes(sample_mail(sender=DEMO_PEOPLE[0][0], account=account))
        self.stdout.write(f"{'Made' if made else 'Kept'} the demo mailbox; dropped {path} (read within a minute).")


def sample_mail(*, sender: str, account: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "faxes@demo.example.com"
    message["Subject"] = f"[{account}] Fax: +{DEMO_RECIPIENT}" if account else f"Fax: +{DEMO_RECIPIENT}"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@demo.example.com>"
    message.set_content("Please find the signed order attached.")
    document = pdf_bytes("Order", (("Order 2026/118", "Sent by email to fax", "Thank you"),))
    message.add_attachment(document, maintype="application", subtype="pdf", filename="order.pdf")
    return message.as_bytes(policy=policy.SMTP)
