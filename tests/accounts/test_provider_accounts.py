"""Provider-account forms: the fields each provider needs, write-only secrets, clear errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ProviderAccount
from tests.factories import ProviderAccountFactory

EXPECTED_CREDENTIAL_FIELDS = {
    "pasifik": ["cred_username", "cred_password"],
    "telsam": ["cred_username", "cred_password", "cred_client_id", "cred_client_secret"],
    "verimor": ["cred_api_key"],
    "telphin": ["cred_client_id", "cred_client_secret", "cred_extension_id"],
}


@pytest.mark.parametrize(("kind", "fields"), EXPECTED_CREDENTIAL_FIELDS.items())
def test_each_provider_form_asks_for_exactly_its_credentials(alice_client: Client, kind: str, fields) -> None:
    response = alice_client.get(reverse("provider-create", args=[kind]))
    assert response.status_code == 200
    form = response.context["form"]
    assert [name for name in form.fields if name.startswith("cred_")] == fields


def test_an_unknown_provider_kind_is_not_found(alice_client: Client) -> None:
    assert alice_client.get(reverse("provider-create", args=["acme"])).status_code == 404


def test_creating_an_account_stores_credentials_and_options(alice_client: Client, team_a) -> None:
    response = alice_client.post(
        reverse("provider-create", args=["telphin"]),
        {
            "label": "Telphin main",
            "cred_client_id": "cid",
            "cred_client_secret": "csecret",
            "cred_extension_id": "42",
            "opt_fax_numbers": "+90 212 000 00 00\n+90 212 000 00 01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    account = team_a.provider_accounts.get(label="Telphin main")
    assert account.kind == "telphin"
    assert account.credentials == {"client_id": "cid", "client_secret": "csecret", "extension_id": "42"}
    assert account.options["fax_numbers"] == ["902120000000", "902120000001"]  # normalised, as fax numbers are stored
    assert team_a.audit_events.filter(action="provider.create", object_id=str(account.pk)).exists()


def test_a_form_with_missing_fields_keeps_what_was_typed_and_names_them(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("provider-create", args=["telsam"]),
        {
            "label": "Telsam office",
            "cred_username": "office",
            "cred_password": "",
            "cred_client_id": "77",
            "cred_client_secret": "",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"cred_password", "cred_client_secret"}
    html = response.content.decode()
    assert 'value="Telsam office"' in html
    assert 'value="office"' in html
    assert 'value="77"' in html
    assert "This field is required." in html


def test_editing_shows_unchanged_and_keeps_secrets_left_empty(alice_client: Client, team_a) -> None:
    account = ProviderAccountFactory(team=team_a, kind="verimor", credentials={"api_key": "old-key-123"})
    page = alice_client.get(reverse("provider-edit", args=[account.pk])).content.decode()
    assert "unchanged" in page
    assert "old-key-123" not in page
    response = alice_client.post(
        reverse("provider-edit", args=[account.pk]), {"label": "Renamed", "cred_api_key": "", "is_active": "on"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.label == "Renamed"
    assert account.credentials == {"api_key": "old-key-123"}


def test_editing_with_a_new_secret_replaces_it_and_drops_cached_tokens(alice_client: Client, team_a) -> None:
    account = ProviderAccountFactory(
        team=team_a, kind="verimor", credentials={"api_key": "old"}, token_cache={"access_token": "t"}
    )
    alice_client.post(reverse("provider-edit", args=[account.pk]), {"label": "V", "cred_api_key": "new-key"})
    account.refresh_from_db()
    assert account.credentials == {"api_key": "new-key"}
    assert account.token_cache == {}
    assert account.is_active is False  # the unchecked box is honoured


def test_labels_are_unique_within_a_team(alice_client: Client, team_a) -> None:
    ProviderAccountFactory(team=team_a, label="Main")
    response = alice_client.post(reverse("provider-create", args=["verimor"]), {"label": "main", "cred_api_key": "k"})
    assert response.status_code == 400
    assert "label" in response.context["form"].errors


def test_a_base_url_must_be_http_or_https(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("provider-create", args=["verimor"]), {"label": "V", "cred_api_key": "k", "base_url": "ftp://x"}
    )
    assert response.status_code == 400
    assert "base_url" in response.context["form"].errors


def test_deleting_an_account_is_audited(alice_client: Client, team_a) -> None:
    account = ProviderAccountFactory(team=team_a)
    assert alice_client.post(reverse("provider-delete", args=[account.pk])).status_code == 302
    assert not ProviderAccount.objects.filter(pk=account.pk).exists()
    assert team_a.audit_events.filter(action="provider.delete").exists()


@pytest.mark.parametrize("history", ["calls", "sms"])
def test_an_account_with_history_is_switched_off_not_deleted_and_its_records_stay(
    alice_client: Client, team_a, history: str
) -> None:
    """Deleting it would have deleted its call records (cascade) or failed on its SMS batches (a 500)."""
    from tests.messaging.factories import SmsBatchFactory
    from tests.rawdb import raw_column
    from tests.telephony.factories import CallRecordFactory

    account = ProviderAccountFactory(team=team_a, credentials={"username": "acme", "password": "s3cret"})
    kept = CallRecordFactory(team=team_a, account=account) if history == "calls" else None
    batch = SmsBatchFactory(team=team_a, account=account) if history == "sms" else None
    page = alice_client.get(reverse("provider-delete", args=[account.pk])).content.decode()
    assert 'id="keeps-history"' in page and "cannot be deleted without them" in page

    done = alice_client.post(reverse("provider-delete", args=[account.pk]), follow=True)
    assert done.status_code == 200 and "is switched off and its credentials are erased" in done.content.decode()
    account.refresh_from_db()
    assert account.is_active is False and account.credentials == {} and account.token_cache == {}
    assert "s3cret" not in raw_column(account)
    assert (
        account.call_records.filter(pk=kept.pk).exists() if kept else account.sms_batches.filter(pk=batch.pk).exists()
    )
    assert team_a.audit_events.filter(action="provider.retire").exists()
    assert not team_a.audit_events.filter(action="provider.delete").exists()


def test_a_viewer_cannot_open_provider_accounts(bob_client: Client) -> None:
    assert bob_client.get(reverse("provider-list")).status_code == 403


def test_a_telsam_account_may_skip_the_password_grant_and_use_connect(alice_client: Client, team_a) -> None:
    response = alice_client.post(
        reverse("provider-create", args=["telsam"]),
        {"label": "Telsam", "cred_client_id": "3", "cred_client_secret": "s", "opt_send_path": "/fax/send"},
    )
    assert response.status_code == 302
    assert team_a.provider_accounts.get(label="Telsam").credentials == {"client_id": "3", "client_secret": "s"}


def test_a_telsam_username_without_its_password_is_a_form_error(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("provider-create", args=["telsam"]),
        {"label": "Telsam", "cred_username": "u", "cred_client_id": "3", "cred_client_secret": "s"},
    )
    assert response.status_code == 400
    assert "cred_password" in response.context["form"].errors


def test_the_urls_no_document_gives_are_account_options_with_defaults(alice_client: Client) -> None:
    telphin = alice_client.get(reverse("provider-create", args=["telphin"])).context["form"]
    assert telphin["opt_received_list_path"].value() == "/extension/{extension_id}/fax/in/"
    assert telphin["opt_received_file_path"].value() == "/extension/{extension_id}/fax/in/{uuid}/file/"
    telsam = alice_client.get(reverse("provider-create", args=["telsam"])).context["form"]
    assert telsam["opt_send_path"].value() == "/fax/send"
    assert telsam["opt_download_path"].value() == "/fax/{id}/download"
