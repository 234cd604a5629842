"""Stored secrets never follow a changed address (issue 11, "write-only credentials")."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ProviderAccount, Team
from accounts.services import ServiceError, provider_account_save
from tests.conftest import client_for
from tests.factories import UserFactory

OTHER_SANDBOX = "http://127.0.0.1:9"


@pytest.fixture
def allowed(settings) -> None:
    settings.PROVIDER_URL_ALLOWLIST = ["http://127.0.0.1:8001", OTHER_SANDBOX]


def _pasifik(team: Team) -> ProviderAccount:
    return ProviderAccount.objects.create(
        team=team,
        kind="pasifik",
        label="Pasifik",
        credentials={"username": "demo", "password": "demo-pass"},
        options={"language": "tr", "auth_scheme": "bare"},
        base_url="http://127.0.0.1:8001/pasifik",
        token_cache={"access_token": "cached"},
    )


def _edit(client: Client, account: ProviderAccount, **changes: str) -> object:
    data = {
        "label": account.label,
        "base_url": account.base_url,
        "is_active": "on",
        "cred_username": "demo",
        "cred_password": "",
        "opt_language": "tr",
        "opt_auth_scheme": "bare",
        **changes,
    }
    return client.post(reverse("provider-edit", args=[account.pk]), data)


@pytest.mark.django_db
def test_a_new_base_url_without_the_password_again_is_refused(alice_client: Client, team_a: Team, allowed) -> None:
    account = _pasifik(team_a)
    response = _edit(alice_client, account, base_url=f"{OTHER_SANDBOX}/pasifik")
    assert response.status_code == 400
    assert "Enter this secret again" in response.context["form"].errors["cred_password"][0]
    account.refresh_from_db()
    assert account.base_url == "http://127.0.0.1:8001/pasifik"
    assert account.credentials["password"] == "demo-pass"


@pytest.mark.django_db
def test_a_new_base_url_with_the_password_again_is_saved_and_drops_cached_tokens(
    alice_client: Client, team_a: Team, allowed
) -> None:
    account = _pasifik(team_a)
    response = _edit(alice_client, account, base_url=f"{OTHER_SANDBOX}/pasifik", cred_password="new-pass")
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.base_url == f"{OTHER_SANDBOX}/pasifik"
    assert account.credentials["password"] == "new-pass"
    assert account.token_cache == {}
    event = team_a.audit_events.filter(action="provider.update").latest("created_at")
    assert event.data["rerouted"] is True and event.data["credentials_changed"] == ["password"]


@pytest.mark.django_db
def test_an_unchanged_address_still_keeps_a_secret_left_empty(alice_client: Client, team_a: Team, allowed) -> None:
    account = _pasifik(team_a)
    assert _edit(alice_client, account, label="Pasifik main").status_code == 302
    account.refresh_from_db()
    assert account.label == "Pasifik main" and account.credentials["password"] == "demo-pass"


@pytest.mark.django_db
def test_a_new_telphin_extension_needs_the_client_secret_again(alice_client: Client, team_a: Team) -> None:
    account = ProviderAccount.objects.create(
        team=team_a,
        kind="telphin",
        label="Telphin",
        credentials={"client_id": "cid", "client_secret": "csecret", "extension_id": "42"},
    )
    data = {"label": "Telphin", "is_active": "on", "cred_client_id": "cid", "cred_extension_id": "43"}
    response = alice_client.post(reverse("provider-edit", args=[account.pk]), data)
    assert response.status_code == 400
    assert "cred_client_secret" in response.context["form"].errors
    account.refresh_from_db()
    assert account.credentials["extension_id"] == "42"


@pytest.mark.django_db
def test_a_new_telsam_send_path_needs_every_stored_secret_again(alice_client: Client, team_a: Team) -> None:
    account = ProviderAccount.objects.create(
        team=team_a,
        kind="telsam",
        label="Telsam",
        credentials={"username": "u", "password": "pw", "client_id": "3", "client_secret": "cs"},
        options={"send_path": "/fax/send"},
    )
    data = {
        "label": "Telsam",
        "is_active": "on",
        "cred_username": "u",
        "cred_client_id": "3",
        "cred_client_secret": "cs",
        "opt_send_path": "/fax/submit",
        "opt_download_path": "/fax/{id}/download",
    }
    response = alice_client.post(reverse("provider-edit", args=[account.pk]), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["cred_password"]


@pytest.mark.django_db
def test_the_service_refuses_too(team_a: Team, alice, allowed) -> None:
    account = _pasifik(team_a)
    with pytest.raises(ServiceError):
        provider_account_save(
            team=team_a,
            actor=alice,
            kind="pasifik",
            label="Pasifik",
            credentials={"username": "demo"},
            options={},
            base_url=f"{OTHER_SANDBOX}/pasifik",
            is_active=True,
            account=account,
        )
    account.refresh_from_db()
    assert account.base_url == "http://127.0.0.1:8001/pasifik"


@pytest.mark.django_db
def test_the_admin_shows_address_options_and_credentials_read_only(team_a: Team, allowed) -> None:
    account = _pasifik(team_a)
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    admin = client_for(staff)
    url = reverse("admin:accounts_provideraccount_change", args=[account.pk])
    page = admin.get(url)
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    assert "base_url" not in form_fields and "options" not in form_fields
    response = admin.post(
        url,
        {
            "label": "Pasifik",
            "is_active": "on",
            "base_url": "http://169.254.169.254/",
            "options": '{"language": "xx"}',
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.base_url == "http://127.0.0.1:8001/pasifik"
    assert account.options == {"language": "tr", "auth_scheme": "bare"}
    assert account.credentials["password"] == "demo-pass"
    assert admin.get(reverse("admin:accounts_provideraccount_add")).status_code == 403


@pytest.mark.django_db
def test_the_service_asks_for_every_secret_when_a_path_option_changes_and_then_drops_tokens(
    team_a: Team, alice
) -> None:
    account = ProviderAccount.objects.create(
        team=team_a,
        kind="telsam",
        label="Telsam",
        credentials={"username": "u", "password": "pw", "client_id": "3", "client_secret": "cs"},
        options={"send_path": "/fax/send"},
        token_cache={"access_token": "cached"},
    )
    change = {"team": team_a, "actor": alice, "kind": "telsam", "label": "Telsam", "base_url": "", "is_active": True}
    with pytest.raises(ServiceError):
        provider_account_save(
            **change, credentials={"client_secret": "cs"}, options={"download_path": "/x/{id}"}, account=account
        )
    account.refresh_from_db()
    assert account.options == {"send_path": "/fax/send"} and account.token_cache == {"access_token": "cached"}
    provider_account_save(
        **change,
        credentials={"password": "pw2", "client_secret": "cs2"},
        options={"download_path": "/x/{id}"},
        account=account,
    )
    account.refresh_from_db()
    assert account.options["download_path"] == "/x/{id}" and account.token_cache == {}
