"""The owner's single sign-on page: what it stores, what it never shows, what it refuses."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Team
from accounts.roles import Role
from accounts.sso_models import TeamSSO
from tests.conftest import client_for
from tests.factories import MembershipFactory, TeamFactory

SECRET = "client-secret-that-must-never-show"


def form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "display_name": "Contoso Entra ID",
        "slug": "contoso",
        "issuer": "https://login.microsoftonline.com/0d3a1f2e-1111-2222-3333-444455556666/v2.0/",
        "client_id": "6731de76-14a6-49ae-97bc-6eba6914391e",
        "client_secret": SECRET,
        "allowed_domains": "Contoso.com\n@contoso.com.tr",
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def owner_client(team_a: Team) -> Client:
    return client_for(MembershipFactory(team=team_a, role=Role.OWNER).user)


@pytest.mark.django_db
def test_the_owner_sets_up_single_sign_on_audited_and_the_secret_encrypted(owner_client: Client, team_a: Team) -> None:
    response = owner_client.post(reverse("team-sso"), form())
    assert response.status_code == 302
    sso = TeamSSO.objects.get(team=team_a)
    assert sso.issuer == "https://login.microsoftonline.com/0d3a1f2e-1111-2222-3333-444455556666/v2.0"
    assert sso.allowed_domains == ["contoso.com", "contoso.com.tr"]
    assert sso.client_secret == SECRET
    with db.cursor() as cursor:
        cursor.execute("SELECT secrets FROM accounts_teamsso WHERE id = %s", [sso.pk])
        stored = cursor.fetchone()[0]
    assert SECRET not in stored
    event = AuditEvent.objects.get(action="sso.create")
    assert event.team == team_a and event.data["credentials_changed"] is True
    assert SECRET not in str(event.data)
    page = owner_client.get(reverse("team-sso")).content.decode()
    assert SECRET not in page
    assert "http://testserver/sso/callback/" in page
    assert "/sso/contoso/" in page


@pytest.mark.django_db
def test_an_empty_secret_keeps_the_stored_one(owner_client: Client, team_a: Team) -> None:
    owner_client.post(reverse("team-sso"), form())
    response = owner_client.post(reverse("team-sso"), form(client_secret="", display_name="Contoso"))
    assert response.status_code == 302
    sso = TeamSSO.objects.get(team=team_a)
    assert (sso.display_name, sso.client_secret) == ("Contoso", SECRET)
    update = AuditEvent.objects.get(action="sso.update")
    assert update.data == {"fields": ["display_name"], "credentials_changed": False}


@pytest.mark.django_db
def test_a_changed_issuer_asks_for_the_secret_again(owner_client: Client, team_a: Team) -> None:
    owner_client.post(reverse("team-sso"), form())
    response = owner_client.post(reverse("team-sso"), form(client_secret="", issuer="https://accounts.google.com"))
    assert response.status_code == 400
    assert "Enter the client secret again" in response.content.decode()
    assert TeamSSO.objects.get(team=team_a).issuer.startswith("https://login.microsoftonline.com/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": "http://idp.example.com"}, "Use an https:// address"),
        ({"issuer": "https://idp.example.com/?x=1"}, "cannot hold a query"),
        ({"allowed_domains": "contoso.com\nnot a domain"}, "Not a domain name: not"),
        ({"slug": "callback"}, "This name is reserved"),
        ({"client_secret": ""}, "This field is required"),
        ({"password_login_disabled": "on"}, "Sign in once with single sign-on before turning password login off"),
    ],
)
def test_wrong_settings_are_refused_and_kept_in_the_form(owner_client: Client, team_a: Team, changes, message) -> None:
    response = owner_client.post(reverse("team-sso"), form(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Contoso Entra ID" in page  # what was typed stays
    assert not TeamSSO.objects.filter(team=team_a).exists()


@pytest.mark.django_db
def test_another_teams_sign_in_name_is_taken(owner_client: Client, team_a: Team) -> None:
    TeamSSO.objects.create(
        team=TeamFactory(), slug="contoso", display_name="X", issuer="https://x.example", client_id="x"
    )
    response = owner_client.post(reverse("team-sso"), form())
    assert "Another team uses this name" in response.content.decode()


@pytest.mark.django_db
def test_password_login_can_be_turned_off_once_single_sign_on_worked(owner_client: Client, team_a: Team) -> None:
    owner_client.post(reverse("team-sso"), form())
    TeamSSO.objects.filter(team=team_a).update(last_sign_in_at=timezone.now())
    response = owner_client.post(reverse("team-sso"), form(client_secret="", password_login_disabled="on"))
    assert response.status_code == 302
    assert TeamSSO.objects.get(team=team_a).password_login_disabled


@pytest.mark.django_db
def test_the_owner_removes_single_sign_on(owner_client: Client, team_a: Team) -> None:
    owner_client.post(reverse("team-sso"), form())
    assert owner_client.post(reverse("team-sso-delete")).status_code == 302
    assert not TeamSSO.objects.filter(team=team_a).exists()
    assert AuditEvent.objects.filter(action="sso.delete", team=team_a).exists()


@pytest.mark.django_db
def test_each_team_sees_only_its_own_connection(team_a: Team, team_b: Team) -> None:
    TeamSSO.objects.create(
        team=team_b, slug="b-corp", display_name="B Corp ID", issuer="https://b.example", client_id="b-client"
    )
    page = client_for(MembershipFactory(team=team_a, role=Role.OWNER).user).get(reverse("team-sso")).content.decode()
    assert "B Corp ID" not in page and "b-client" not in page


@pytest.mark.django_db
def test_an_admin_may_not_change_single_sign_on(team_a: Team) -> None:
    admin = client_for(MembershipFactory(team=team_a, role=Role.ADMIN).user)
    assert admin.get(reverse("team-sso")).status_code == 403
    assert admin.post(reverse("team-sso"), form()).status_code == 403


@pytest.mark.django_db
def test_an_unknown_or_switched_off_sign_in_name_is_not_found(team_a: Team) -> None:
    TeamSSO.objects.create(
        team=team_a, slug="off", display_name="Off", issuer="https://off.example", client_id="c", is_active=False
    )
    assert Client().get(reverse("sso-start", args=["nobody"])).status_code == 404
    assert Client().get(reverse("sso-start", args=["off"])).status_code == 404
    response = Client().get(reverse("sso-choose"), {"name": "nobody"})
    assert response.status_code == 404
    assert "No team signs in with this name" in response.content.decode()


@pytest.mark.django_db
def test_the_sign_in_name_leads_to_the_teams_start_page(team_a: Team) -> None:
    TeamSSO.objects.create(
        team=team_a, slug="acme", display_name="Acme ID", issuer="https://idp.example", client_id="c"
    )
    response = Client().get(reverse("sso-choose"), {"name": "acme", "next": "/sms/"})
    assert response["Location"] == "/sso/acme/?next=%2Fsms%2F"
    page = Client().get(response["Location"]).content.decode()
    assert "Sign in with Acme ID" in page


@pytest.mark.django_db
def test_the_login_page_offers_single_sign_on() -> None:
    assert reverse("sso-choose") in Client().get(reverse("login")).content.decode()
