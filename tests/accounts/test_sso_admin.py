"""The operator's way out when a team's provider fails: Django admin switches single sign-on off, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.sso_models import TeamSSO
from tests.factories import TeamFactory, UserFactory


@pytest.mark.django_db
def test_the_operator_turns_single_sign_on_off_and_never_sees_the_secret() -> None:
    team = TeamFactory(name="Acme")
    sso = TeamSSO.objects.create(
        team=team,
        slug="acme",
        display_name="Acme ID",
        issuer="https://idp.example",
        client_id="portal",
        secrets={"client_secret": "never-shown-secret"},
        password_login_disabled=True,
        last_sign_in_at=timezone.now(),
    )
    operator = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    url = reverse("admin:accounts_teamsso_change", args=[sso.pk])
    page = client.get(url).content.decode()
    assert "never-shown-secret" not in page
    response = client.post(url, {"is_active": "", "password_login_disabled": ""})
    assert response.status_code == 302
    sso.refresh_from_db()
    assert not sso.is_active and not sso.password_login_disabled
    assert sso.client_secret == "never-shown-secret"
    event = AuditEvent.objects.get(action="sso.update", team=team)
    assert event.actor == operator
    assert event.data["fields"] == ["is_active", "password_login_disabled"]
