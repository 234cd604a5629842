"""The members page offers only what the server allows."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory


def test_an_admin_sees_no_owner_role_and_no_remove_button_next_to_the_owner(team_a, alice, bob) -> None:
    admin = MembershipFactory(team=team_a, user=UserFactory(email="admin@example.com"), role=Role.ADMIN).user
    owner_membership = team_a.memberships.get(user=alice)
    bob_membership = team_a.memberships.get(user=bob)
    page = client_for(admin).get(reverse("members")).content.decode()

    assert 'value="owner"' not in page
    assert reverse("member-role", args=[owner_membership.pk]) not in page
    assert reverse("member-remove", args=[owner_membership.pk]) not in page
    # Bob (a viewer) can be changed up to admin, and removed.
    bob_select = re.search(rf'id="role-{bob_membership.pk}".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\w+)"', bob_select) == ["viewer", "operator", "admin"]
    assert reverse("member-remove", args=[bob_membership.pk]) in page


def test_an_owner_may_make_another_owner(team_a, alice, bob) -> None:
    bob_membership = team_a.memberships.get(user=bob)
    page = client_for(alice).get(reverse("members")).content.decode()
    bob_select = re.search(rf'id="role-{bob_membership.pk}".*?</select>', page, re.S).group(0)
    assert 'value="owner"' in bob_select


def test_no_select_submits_its_form_by_itself(alice, team_a) -> None:
    """WCAG 3.2.2: the role, language and team selects each have their own button."""
    page = client_for(alice).get(reverse("members")).content.decode()
    assert "data-autosubmit" not in page
    assert 'data-testid="language-apply"' in page
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static" / "js" / "app.js").read_text()
    assert "requestSubmit" not in script
