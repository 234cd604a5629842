"""Tokens: shown once, stored hashed, expiring, revocable, last use kept; role AND scope decide."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import PERMISSIONS, Role, role_has
from api.models import ApiToken
from api.scopes import SCOPE_PERMISSIONS, Scope
from tests.api.conftest import bearer
from tests.conftest import client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_the_page_shows_a_new_token_once_and_stores_only_its_hash(alice, team_a) -> None:
    client = client_for(alice)
    response = client.post(reverse("api-tokens"), {"name": "CRM", "scope": "send", "days": "30"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("tp_") and raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get())  # the secret itself is nowhere in the row
    assert raw not in client.get(reverse("api-tokens")).content.decode()  # never shown again
    assert AuditEvent.objects.filter(action="api_token.create", team=team_a).exists()


def test_the_page_speaks_turkish(alice) -> None:
    client = client_for(alice)
    response = client.get(reverse("api-tokens"), HTTP_ACCEPT_LANGUAGE="tr")
    assert "API anahtarları" in response.content.decode()


def test_a_name_given_twice_is_refused_and_kept(alice) -> None:
    client = client_for(alice)
    client.post(reverse("api-tokens"), {"name": "CRM", "scope": "read", "days": "30"})
    response = client.post(reverse("api-tokens"), {"name": "CRM", "scope": "read", "days": "30"})
    assert response.status_code == 400
    assert "already have a token with this name" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_the_token_answers_and_its_last_use_is_recorded(api, team_a, token_for) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    response = api.get(ME, headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["role"] == "operator"
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("revoke", "token_revoked"),
        ("expire", "token_expired"),
        ("tamper", "token_invalid"),
    ],
)
def test_a_revoked_expired_or_wrong_token_is_a_clear_401(api, alice, team_a, token_for, change, code) -> None:
    raw = token_for(team_a, membership=alice.memberships.get())
    if change == "revoke":
        client_for(alice).post(reverse("api-tokens"), {"revoke": ApiToken.objects.get().pk})
    elif change == "tamper":
        raw = raw[:-2] + ("AA" if not raw.endswith("AA") else "BB")
    if change == "expire":
        with time_machine.travel(timezone.now() + timedelta(days=31)):
            response = api.get(ME, headers=bearer(raw))
    else:
        response = api.get(ME, headers=bearer(raw))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_token_is_a_401_not_a_login_page(api) -> None:
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_member_revokes_only_their_own_tokens_an_admin_any(team_a, token_for, member_of) -> None:
    viewer = MembershipFactory(team=team_a, role=Role.VIEWER)
    token_for(team_a, membership=viewer)
    theirs = ApiToken.objects.get()
    other = client_for(member_of(team_a, Role.OPERATOR))
    assert other.post(reverse("api-tokens"), {"revoke": theirs.pk}).status_code == 404
    admin = client_for(member_of(team_a, Role.ADMIN))
    assert admin.post(reverse("api-tokens"), {"revoke": theirs.pk}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.is_revoked


def test_a_role_change_applies_to_the_token_at_once(api, team_a, token_for) -> None:
    member = MembershipFactory(team=team_a, role=Role.OPERATOR)
    raw = token_for(team_a, membership=member, scope=Scope.ADMIN)
    assert (
        api.post("/api/v1/opt-outs/", {"phone": "05321234567"}, "application/json", headers=bearer(raw)).status_code
        == 201
    )
    member.role = Role.VIEWER
    member.save()
    response = api.post("/api/v1/opt-outs/", {"phone": "05321234568"}, "application/json", headers=bearer(raw))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_removing_the_member_removes_their_tokens(api, team_a, token_for) -> None:
    member = MembershipFactory(team=team_a, role=Role.OWNER)
    raw = token_for(team_a, membership=member)
    member.delete()
    assert api.get(ME, headers=bearer(raw)).status_code == 401


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("scope", list(Scope))
def test_me_lists_role_and_scope_together(api, team_a, token_for, role, scope) -> None:
    raw = token_for(team_a, role, scope)
    allowed = set(api.get(ME, headers=bearer(raw)).json()["permissions"])
    assert allowed == {p for p in PERMISSIONS if role_has(role, p) and p in SCOPE_PERMISSIONS[scope]}


def test_the_rate_limit_answers_429_with_retry_after(api, team_a, token_for, settings) -> None:
    settings.API_RATE_LIMIT = "3/min"
    raw = token_for(team_a)
    codes = [api.get(ME, headers=bearer(raw)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get(ME, headers=bearer(raw))
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"
    other = token_for(team_a)  # counted per token
    assert api.get(ME, headers=bearer(other)).status_code == 200


def test_errors_and_audit_entries_read_in_turkish(api, alice, team_a, token_for) -> None:
    from django.utils import translation

    from accounts.audit_labels import action_label, details_text

    response = api.get(ME, headers={"Authorization": "Bearer tp_nothing_here", "Accept-Language": "tr"})
    assert response.json()["error"]["message"] == "API anahtarı geçerli değil."
    raw = token_for(team_a, membership=alice.memberships.get())
    api.post("/api/v1/opt-outs/", {"phone": "05321234567"}, "application/json", headers=bearer(raw))
    event = AuditEvent.objects.get(action="sms.opt_out")
    with translation.override("tr"):
        assert "API anahtarıyla: test admin" in details_text(event.data)
        assert action_label("api_token.create") == "API anahtarı oluşturuldu"
