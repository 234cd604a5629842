"""`manage.py api_token` (what `make demo` tells people to run) makes a working token."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.roles import Role
from sandbox.management.commands.rundemo import api_hint
from tests.api.conftest import bearer
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_token_that_works(api, team_a) -> None:
    MembershipFactory(team=team_a, user=UserFactory(email="ops@example.com"), role=Role.OPERATOR)
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "ops@example.com", "--scope", "send", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    me = api.get("/api/v1/me/", headers=bearer(raw)).json()
    assert me["role"] == "operator" and me["scope"] == "send" and "send" in me["permissions"]
    assert "shown only this once" in err.getvalue()


def test_a_person_in_several_teams_must_name_one(team_a, team_b) -> None:
    user = UserFactory(email="two@example.com")
    MembershipFactory(team=team_a, user=user)
    MembershipFactory(team=team_b, user=user)
    with pytest.raises(CommandError, match="several teams"):
        call_command("api_token", "two@example.com", stdout=io.StringIO())
    call_command("api_token", "two@example.com", "--team", team_b.name, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_demo_says_how_to_make_a_token() -> None:
    hint = api_hint("http://127.0.0.1:8000")
    assert "manage.py api_token operator@demo.example" in hint
    assert "http://127.0.0.1:8000/account/api-tokens/" in hint
