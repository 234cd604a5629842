"""The email-to-fax settings page: admin+, audited, the password write-only, another team's mail a 404."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role
from email_to_fax.models import Mailbox, MailboxKind
from tests.conftest import client_for
from tests.email_to_fax.factories import InboundMailFactory

pytestmark = pytest.mark.django_db

FORM = {
    "enabled": "on",
    "kind": MailboxKind.IMAP,
    "imap_host": "imap.example.com",
    "imap_port": "993",
    "imap_security": "tls",
    "imap_user": "faxes@example.com",
    "imap_folder": "INBOX",
    "address_name": "",
}


def test_an_admin_sets_up_the_mailbox_and_the_password_is_stored_encrypted_and_never_shown(
    alice_client, team_a, fax_account
) -> None:
    response = alice_client.post("/email-to-fax/", {**FORM, "account": fax_account.pk, "password": "imap-pass-123"})

    assert response.status_code == 302
    mailbox = Mailbox.objects.get(team=team_a)
    assert mailbox.password == "imap-pass-123"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM email_to_fax_mailbox WHERE id = %s", [mailbox.pk])
        assert "imap-pass-123" not in cursor.fetchone()[0]
    event = AuditEvent.objects.get(action="fax.mailbox_update")
    assert "password" in event.data["changed"] and "imap-pass-123" not in str(event.data)
    page = alice_client.get("/email-to-fax/").content.decode()
    assert "imap-pass-123" not in page and "A password is saved." in page

    # saved again without a password: the stored one stays
    alice_client.post("/email-to-fax/", {**FORM, "account": fax_account.pk, "imap_host": "mail.example.com"})
    mailbox.refresh_from_db()
    assert (mailbox.imap_host, mailbox.password) == ("mail.example.com", "imap-pass-123")


def test_an_enabled_imap_mailbox_needs_its_server_login_and_account_and_the_form_keeps_what_was_typed(
    alice_client, team_a
) -> None:
    response = alice_client.post("/email-to-fax/", {**FORM, "imap_host": "", "imap_user": "typed@example.com"})

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"imap_host", "password", "account"}
    assert 'value="typed@example.com"' in response.content.decode()
    assert not Mailbox.objects.exists()


def test_an_operator_may_not_open_the_settings(team_a, member_of) -> None:
    operator = client_for(member_of(team_a, Role.OPERATOR))
    assert operator.get("/email-to-fax/").status_code == 403
    assert operator.post("/email-to-fax/", FORM).status_code == 403


def test_another_teams_mail_is_not_found(alice_client, team_b) -> None:
    other = InboundMailFactory(team=team_b)
    assert alice_client.get(f"/email-to-fax/mails/{other.pk}/").status_code == 404


def test_a_refused_mail_shows_why(alice_client, team_a) -> None:
    mail = InboundMailFactory(team=team_a, reason_key="bad_number", reason_params={"numbers": "12345"})
    page = alice_client.get(f"/email-to-fax/mails/{mail.pk}/").content.decode()
    assert "Not a valid fax number: 12345." in page


def test_the_demo_folder_kind_is_offered_only_where_the_operator_set_its_root(alice_client, settings) -> None:
    settings.EMAIL_TO_FAX_FOLDER_ROOT = ""
    assert 'value="folder"' not in alice_client.get("/email-to-fax/").content.decode()
    settings.EMAIL_TO_FAX_FOLDER_ROOT = "/tmp/fax-mail"
    assert 'value="folder"' in alice_client.get("/email-to-fax/").content.decode()
