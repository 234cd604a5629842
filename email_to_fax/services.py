"""Writes of the mailbox settings, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import User

from .forms import MailboxForm
from .models import Mailbox, MailboxState


@transaction.atomic
def mailbox_update(*, form: MailboxForm, actor: User, request: Any = None) -> Mailbox:
    changed = form.changed_names()
    mailbox: Mailbox = form.save(commit=False)
    mailbox.team = form.team
    password = form.cleaned_data.get("password")
    if password:
        mailbox.secrets = {"password": password}
    if changed:  # new settings are checked afresh on the next poll
        mailbox.state, mailbox.state_detail = MailboxState.NEW, ""
    mailbox.save()
    audit_record(
        team=form.team, actor=actor, action="fax.mailbox_update", target=mailbox, request=request, changed=changed
    )
    return mailbox
