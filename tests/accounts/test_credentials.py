"""Provider credentials: encrypted at rest, write-only in forms, never in a page, log or error."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts import crypto
from accounts.models import ProviderAccount
from tests.conftest import client_for
from tests.factories import ProviderAccountFactory
from tests.rawdb import raw_column

SENTINEL = "s3ntinel-Secret-Value-4711"


@pytest.fixture
def account(team_a) -> ProviderAccount:
    return ProviderAccountFactory(team=team_a, credentials={"username": "acme", "password": SENTINEL})


def test_the_database_column_holds_no_plaintext(account: ProviderAccount) -> None:
    raw = raw_column(account)
    assert SENTINEL not in raw
    assert "acme" not in raw
    assert crypto.decrypt_json(raw) == {"username": "acme", "password": SENTINEL}
    account.refresh_from_db()
    assert account.credentials["password"] == SENTINEL


def test_no_page_shows_the_secret(alice, account: ProviderAccount, caplog) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client = client_for(alice)
    caplog.set_level(logging.DEBUG)
    urls = [
        reverse("provider-list"),
        reverse("provider-edit", args=[account.pk]),
        reverse("provider-delete", args=[account.pk]),
        reverse("audit"),
        reverse("audit-export"),
        reverse("dashboard"),
        reverse("admin:accounts_provideraccount_changelist"),
        reverse("admin:accounts_provideraccount_change", args=[account.pk]),
        reverse("admin:accounts_auditevent_changelist"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert SENTINEL.encode() not in body, url
    # A failed save (missing label) must not echo the secret back either.
    response = client.post(
        reverse("provider-edit", args=[account.pk]),
        {
            "label": "",
            "cred_username": "acme",
            "cred_password": SENTINEL + "x",
            "opt_language": "tr",
            "opt_auth_scheme": "bare",
        },
    )
    assert response.status_code == 400
    assert SENTINEL.encode() not in response.content
    assert all(SENTINEL not in record.getMessage() for record in caplog.records)


def test_saving_new_credentials_logs_and_audits_only_field_names(alice_client: Client, account, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    response = alice_client.post(
        reverse("provider-edit", args=[account.pk]),
        {
            "label": "Main",
            "cred_username": "acme",
            "cred_password": SENTINEL + "2",
            "opt_language": "tr",
            "opt_auth_scheme": "bare",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event = account.team.audit_events.get(action="provider.update")
    assert event.data["credentials_changed"] == ["password"]
    assert SENTINEL not in str(event.data)
    assert all(SENTINEL not in record.getMessage() for record in caplog.records)


def test_dumpdata_keeps_credentials_encrypted(account: ProviderAccount, capsys) -> None:
    call_command("dumpdata", "accounts.provideraccount")
    assert SENTINEL not in capsys.readouterr().out


def test_keys_rotate_without_losing_credentials(account: ProviderAccount, settings) -> None:
    old_key = settings.CREDENTIAL_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [new_key, old_key]
    call_command("rotate_credentials")
    settings.CREDENTIAL_KEYS = [new_key]  # the old key is gone now
    account.refresh_from_db()
    assert account.credentials["password"] == SENTINEL
    assert Fernet(new_key.encode()).decrypt(raw_column(account).encode())


def test_rotation_reencrypts_every_encrypted_column_not_only_provider_accounts(
    account: ProviderAccount, team_a, settings
) -> None:
    from accounts.fields import encrypted_fields
    from accounts.sso_models import TeamSSO
    from email_to_fax.models import Mailbox
    from telcoportal.backup.credentials import encrypted_values_check
    from tests.webhooks.factories import EndpointFactory

    Mailbox.objects.create(team=team_a, imap_host="imap.example.com", imap_user="fax", secrets={"password": SENTINEL})
    TeamSSO.objects.create(
        team=team_a,
        slug="acme",
        display_name="Acme",
        issuer="https://id.example.com",
        client_id="portal",
        secrets={"client_secret": SENTINEL},
    )
    EndpointFactory(team=team_a, secret={"secret": SENTINEL})
    walked = {model._meta.label for model, _fields in encrypted_fields()}
    assert {"accounts.ProviderAccount", "accounts.TeamSSO", "email_to_fax.Mailbox", "webhooks.Endpoint"} <= walked
    new_key = Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [new_key, settings.CREDENTIAL_KEYS[0]]
    call_command("rotate_credentials")

    settings.CREDENTIAL_KEYS = [new_key]  # the old key is gone now: every stored secret must still read
    found = encrypted_values_check()
    assert found.total >= 5 and found.unreadable == {}
    assert Mailbox.objects.get(team=team_a).password == SENTINEL
    assert TeamSSO.objects.get(team=team_a).client_secret == SENTINEL


def test_the_logging_filter_scrubs_secrets_from_any_logger() -> None:
    from core.logging import RedactSecretsFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET /fdrs?key=%s&x=1", (SENTINEL,), None)
    RedactSecretsFilter().filter(record)
    assert SENTINEL not in record.getMessage()


def test_a_user_of_another_team_cannot_reach_the_account(account: ProviderAccount, charlie) -> None:
    response = client_for(charlie).get(reverse("provider-edit", args=[account.pk]))
    assert response.status_code == 404
    assert SENTINEL.encode() not in response.content


def test_the_logging_filter_scrubs_an_oauth_callbacks_code_and_state() -> None:
    from core.logging import RedactSecretsFilter

    line = '"GET /team/providers/telsam/callback/?state=%s&code=%s&x=1 HTTP/1.1" 302'
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, line, ("st4te-value", SENTINEL), None)
    RedactSecretsFilter().filter(record)
    message = record.getMessage()
    assert SENTINEL not in message
    assert "st4te-value" not in message
    assert "x=1" in message
    assert "/team/providers/telsam/callback/" in message
