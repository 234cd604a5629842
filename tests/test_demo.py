"""The demo set-up command: four people with their roles, accounts on the sandbox."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Membership, ProviderAccount, User


@pytest.mark.django_db
def test_demo_setup_creates_a_team_with_four_roles_and_prints_working_passwords() -> None:
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines()[1:]]
    assert [(email, role) for email, _, role in lines] == [
        ("owner@demo.example", "Owner"),
        ("admin@demo.example", "Admin"),
        ("operator@demo.example", "Operator"),
        ("viewer@demo.example", "Viewer"),
    ]
    for email, password, _ in lines:
        assert User.objects.get(email=email).check_password(password)
    team = Membership.objects.get(user__email="viewer@demo.example").team
    kinds = sorted(ProviderAccount.objects.filter(team=team).values_list("kind", flat=True))
    assert kinds == ["pasifik", "telphin", "telsam", "verimor"]
    assert all(a.base_url.startswith("http://127.0.0.1:8001/") for a in ProviderAccount.objects.all())


@pytest.mark.django_db
def test_demo_setup_can_run_twice() -> None:
    call_command("demo_setup", stdout=io.StringIO())
    call_command("demo_setup", stdout=io.StringIO())
    assert Membership.objects.filter(user__email="owner@demo.example").count() == 2
    assert ProviderAccount.objects.count() == 4
