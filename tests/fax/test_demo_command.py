"""`make demo`'s fax step: demo faxes go only through the sandbox accounts demo_setup made."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import ProviderAccount, Team
from fax.models import Direction, Fax, Status
from sandbox.management.commands.demo_setup import sandbox_credentials, sandbox_options

pytestmark = pytest.mark.django_db

DEMO_TEAM = "Demo Lojistik A.Ş."


def test_demo_faxes_go_only_through_the_demo_sandbox_accounts_once(
    sandbox_url, django_capture_on_commit_callbacks
) -> None:
    call_command("demo_setup", sandbox_url=sandbox_url, stdout=StringIO())
    team = Team.objects.get(name=DEMO_TEAM)
    # What a person added to the demo team: a real account, and sandbox look-alikes that demo_setup did not make.
    theirs = [
        ProviderAccount.objects.create(
            team=team,
            kind="telsam",
            label="Our real Telsam",
            credentials={"username": "real", "password": "real-secret", "client_id": "c", "client_secret": "s"},
            options={"fax_numbers": ["902129630199"]},
            base_url="https://api.yenifaks.example",
        ),
        ProviderAccount.objects.create(
            team=team,
            kind="pasifik",
            label="Pasifik (sandbox) copy",
            credentials=sandbox_credentials("pasifik"),
            options=sandbox_options("pasifik"),
            base_url=f"{sandbox_url}/pasifik",
        ),
    ]
    impostor = ProviderAccount.objects.get(team=team, label="Verimor (sandbox)")
    impostor.credentials = {"api_key": "someone-s-real-key"}  # demo_setup's label, real credentials
    impostor.save()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("fax_demo", team=DEMO_TEAM, sandbox_url=sandbox_url, stdout=StringIO())
        call_command("fax_demo", team=DEMO_TEAM, sandbox_url=sandbox_url, stdout=StringIO())

    outgoing = Fax.objects.filter(direction=Direction.OUTGOING)
    assert sorted(outgoing.values_list("account__label", flat=True)) == [
        "Pasifik (sandbox)",
        "Telphin (sandbox)",
        "Telsam (sandbox)",
    ]
    assert set(outgoing.values_list("status", flat=True)) == {Status.SENDING}
    assert not Fax.objects.filter(account__in=[*theirs, impostor]).exists()


def test_a_demo_account_moved_off_the_sandbox_sends_no_demo_fax(sandbox_url) -> None:
    call_command("demo_setup", sandbox_url=sandbox_url, stdout=StringIO())
    ProviderAccount.objects.filter(label="Telsam (sandbox)").update(base_url="https://api.yenifaks.example")

    call_command("fax_demo", team=DEMO_TEAM, sandbox_url=sandbox_url, stdout=StringIO())

    assert not Fax.objects.filter(account__label="Telsam (sandbox)").exists()
    assert Fax.objects.filter(account__label="Pasifik (sandbox)").exists()
