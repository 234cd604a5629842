"""Creates the demo team, its four people and provider accounts on the sandbox.

Run again at will: it keeps what exists and prints fresh passwords.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, ProviderAccount, Team, User
from accounts.roles import Role
from sandbox.app import PROVIDERS

DEMO_PEOPLE = [
    ("owner@demo.example", "Oya Owner", Role.OWNER),
    ("admin@demo.example", "Ali Admin", Role.ADMIN),
    ("operator@demo.example", "Okan Operator", Role.OPERATOR),
    ("viewer@demo.example", "Veli Viewer", Role.VIEWER),
]


def sandbox_credentials(kind: str) -> dict[str, str]:
    """The credentials of ``kind``'s demo account: those its emulator accepts."""
    return dict(PROVIDERS[kind].demo_credentials)


def sandbox_options(kind: str) -> dict[str, Any]:
    """The options of ``kind``'s demo account (numbers and ids its emulator knows)."""
    return copy.deepcopy(PROVIDERS[kind].demo_options)


class Command(BaseCommand):
    help = "Creates or refreshes the demo team and prints its people's passwords."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8001")

    @transaction.atomic
    def handle(self, *args: Any, sandbox_url: str, **options: Any) -> None:
        team, _ = Team.objects.get_or_create(name="Demo Lojistik A.Ş.")
        branch, _ = Team.objects.get_or_create(name="Demo Şube Ofisi")
        lines: list[tuple[str, str, str]] = []
        for email, name, role in DEMO_PEOPLE:
            user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            if role == Role.OWNER:
                user.is_staff = user.is_superuser = True  # so the demo can show /admin/ too
            user.save()
            Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
            lines.append((email, password, str(role.label)))
        owner = User.objects.get(email=DEMO_PEOPLE[0][0])
        Membership.objects.get_or_create(team=branch, user=owner, defaults={"role": Role.OWNER})
        for kind in PROVIDERS:
            ProviderAccount.objects.update_or_create(
                team=team,
                label=f"{kind.title()} (sandbox)",
                defaults={
                    "kind": kind,
                    "credentials": sandbox_credentials(kind),
                    "options": sandbox_options(kind),
                    "base_url": f"{sandbox_url.rstrip('/')}/{kind}",
                },
            )
        self.stdout.write(self.style.SUCCESS(f"Demo team: {team.name} (the owner is also in {branch.name})"))
        width = max(len(e) for e, _, _ in lines)
        for email, password, role_label in lines:
            self.stdout.write(f"  {email.ljust(width)}  {password}  {role_label}")
