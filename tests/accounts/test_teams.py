"""Teams: switching, creating, settings, and the team's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import AuditEventFactory, MembershipFactory, ProviderAccountFactory


def test_a_member_of_two_teams_switches_between_them(alice, team_a, team_b) -> None:
    MembershipFactory(team=team_b, user=alice, role=Role.VIEWER)
    ProviderAccountFactory(team=team_a, label="A's account")
    ProviderAccountFactory(team=team_b, label="B's account")
    client = client_for(alice)
    page = client.get(reverse("dashboard")).content.decode()
    assert "A&#x27;s account" in page and "B&#x27;s account" not in page
    assert 'id="team-switch"' in page
    client.post(reverse("team-switch"), {"team": team_b.pk})
    page = client.get(reverse("dashboard")).content.decode()
    assert "B&#x27;s account" in page and "A&#x27;s account" not in page
    # As a viewer in team B, alice no longer reaches the provider pages.
    assert client.get(reverse("provider-list")).status_code == 403


def test_switching_to_a_team_one_is_not_in_is_not_found(alice_client: Client, team_b) -> None:
    assert alice_client.post(reverse("team-switch"), {"team": team_b.pk}).status_code == 404


def test_creating_a_team_makes_the_creator_its_owner(alice_client: Client, alice) -> None:
    response = alice_client.post(reverse("team-create"), {"name": "Night shift", "time_zone": "Europe/London"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=alice, team__name="Night shift")
    assert membership.role == Role.OWNER
    assert alice_client.get(reverse("team-settings")).context["current_team"].name == "Night shift"


def test_team_settings_reject_an_unknown_time_zone(alice_client: Client) -> None:
    response = alice_client.post(reverse("team-settings"), {"name": "Team A", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors


def test_times_are_shown_in_the_teams_time_zone(alice_client: Client, team_a) -> None:
    AuditEventFactory(team=team_a, action="x.y", created_at=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    team_a.time_zone = "Europe/Istanbul"
    team_a.save()
    assert "2026-01-01 15:00:00" in alice_client.get(reverse("audit")).content.decode()
    team_a.time_zone = "America/New_York"
    team_a.save()
    assert "2026-01-01 07:00:00" in alice_client.get(reverse("audit")).content.decode()


@pytest.mark.django_db
def test_each_role_sees_only_its_actions_on_the_dashboard(team_a) -> None:
    expectations = {
        Role.VIEWER: (set(), {"sms-new", "provider-list", "members", "audit"}),
        Role.OPERATOR: ({"sms-new", "fax-new"}, {"provider-list", "members", "audit"}),
        Role.ADMIN: ({"sms-new", "provider-list", "members", "audit"}, set()),
    }
    for role, (shown, hidden) in expectations.items():
        page = client_for(MembershipFactory(team=team_a, role=role).user).get(reverse("dashboard")).content.decode()
        for name in shown:
            assert f'href="{reverse(name)}"' in page, (role, name)
        for name in hidden:
            assert f'href="{reverse(name)}"' not in page, (role, name)
