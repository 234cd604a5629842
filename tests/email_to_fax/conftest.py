from __future__ import annotations

import pytest

from email_to_fax.models import Mailbox, MailboxKind


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fax_account(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik", label="Head office")


@pytest.fixture
def mailbox(team_a, fax_account, settings, tmp_path) -> Mailbox:
    settings.EMAIL_TO_FAX_FOLDER_ROOT = str(tmp_path / "mailboxes")
    return Mailbox.objects.create(
        team=team_a, enabled=True, kind=MailboxKind.FOLDER, address_name="team-a", account=fax_account
    )
