"""One credential row no key decrypts must not take pages down (issue 11, "Keys, sessions, errors")."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.access import TeamView
from accounts.models import ProviderAccount, Team
from accounts.provider_checks import provider_account_check
from tests.conftest import client_for
from tests.factories import ProviderAccountFactory, UserFactory
from tests.team_objects import TEAM_OBJECT_FACTORIES
from tests.urlwalk import Route, buildable, walk

UNREADABLE = "credentials unreadable — re-enter them"


def _make_unreadable(account: ProviderAccount) -> None:
    """What a lost or wrong key leaves: a value encrypted with a key CREDENTIAL_KEYS does not hold."""
    foreign = Fernet(Fernet.generate_key()).encrypt(b'{"username": "demo", "password": "demo-pass"}').decode()
    table = connection.ops.quote_name(ProviderAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET credentials = %s WHERE id = %s", [foreign, account.pk])


@pytest.fixture
def unreadable(team_a: Team) -> ProviderAccount:
    account = ProviderAccountFactory(team=team_a, label="Pasifik lost key")
    _make_unreadable(account)
    return account


def _get_routes() -> list[Route]:
    routes = []
    for route in walk():
        if not buildable(route) or route.pattern.startswith("admin/"):
            continue
        view = route.view_class
        if view is not None and issubclass(view, TeamView) and "get" in view.http_method_names and hasattr(view, "get"):
            routes.append(route)
    return routes


@pytest.mark.django_db
def test_every_team_page_answers_with_an_unreadable_row(
    alice_client: Client, team_a: Team, unreadable: ProviderAccount
) -> None:
    failures = []
    for route in _get_routes():
        if "pk" in route.converters:
            model = route.view_class.team_model
            pk = unreadable.pk if model is ProviderAccount else TEAM_OBJECT_FACTORIES[model](team_a).pk
            url = route.url(pk=pk)
        else:
            url = route.url()
        response = alice_client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
    assert failures == []


@pytest.mark.django_db
def test_the_account_says_its_credentials_are_unreadable(alice_client: Client, unreadable: ProviderAccount) -> None:
    assert UNREADABLE in alice_client.get(reverse("provider-list")).content.decode()
    assert UNREADABLE in alice_client.get(reverse("provider-edit", args=[unreadable.pk])).content.decode()
    result = provider_account_check(account=ProviderAccount.objects.get(pk=unreadable.pk))
    assert not result.ok and "re-enter" in result.message


@pytest.mark.django_db
def test_the_account_is_turkish_too(alice_client: Client, unreadable: ProviderAccount) -> None:
    page = alice_client.get(reverse("provider-list"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    assert UNREADABLE not in page
    assert "okunamıyor" in page


@pytest.mark.django_db
def test_saving_unrelated_fields_keeps_the_stored_ciphertext(unreadable: ProviderAccount) -> None:
    table = connection.ops.quote_name(ProviderAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT credentials FROM {table} WHERE id = %s", [unreadable.pk])
        before = cursor.fetchone()[0]
        account = ProviderAccount.objects.get(pk=unreadable.pk)
        account.is_active = False
        account.save()
        cursor.execute(f"SELECT credentials FROM {table} WHERE id = %s", [unreadable.pk])
        assert cursor.fetchone()[0] == before  # the right key, restored, still reads it


@pytest.mark.django_db
def test_the_account_can_be_given_new_credentials_and_deleted(
    alice_client: Client, team_a: Team, unreadable: ProviderAccount
) -> None:
    data = {
        "label": unreadable.label,
        "is_active": "on",
        "cred_username": "demo",
        "opt_language": "tr",
        "opt_auth_scheme": "bare",
    }
    response = alice_client.post(reverse("provider-edit", args=[unreadable.pk]), data)
    assert response.status_code == 400  # the password must be entered: there is no stored one to keep
    response = alice_client.post(reverse("provider-edit", args=[unreadable.pk]), {**data, "cred_password": "new"})
    assert response.status_code == 302
    assert ProviderAccount.objects.get(pk=unreadable.pk).credentials == {"username": "demo", "password": "new"}

    _make_unreadable(unreadable)
    assert alice_client.post(reverse("provider-delete", args=[unreadable.pk])).status_code == 302
    assert not ProviderAccount.objects.filter(pk=unreadable.pk).exists()


@pytest.mark.django_db
def test_the_admin_lists_and_shows_it(unreadable: ProviderAccount) -> None:
    admin = client_for(UserFactory(email="staff@example.com", is_staff=True, is_superuser=True))
    assert admin.get(reverse("admin:accounts_provideraccount_changelist")).status_code == 200
    page = admin.get(reverse("admin:accounts_provideraccount_change", args=[unreadable.pk]))
    assert page.status_code == 200 and UNREADABLE in page.content.decode()


@pytest.mark.django_db
def test_rotate_credentials_names_the_account_it_cannot_read(unreadable: ProviderAccount) -> None:
    readable = ProviderAccountFactory(team=unreadable.team, label="Pasifik fine")
    with pytest.raises(CommandError) as caught:
        call_command("rotate_credentials")
    assert f"provider account {unreadable.pk} “Pasifik lost key”" in str(caught.value)
    assert "InvalidToken" not in str(caught.value)

    call_command("rotate_credentials", "--skip-unreadable")
    assert ProviderAccount.objects.get(pk=readable.pk).credentials == {"username": "demo", "password": "demo-pass"}
