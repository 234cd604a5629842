"""Creates the demo team, its four people and provider accounts on the sandbox.

Run again at will: it keeps what exists and prints fresh passwords.
"""

from __future__ import annotations

import importlib
import secrets
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, ProviderAccount, Team, User
from accounts.roles import Role

DEMO_PEOPLE = [
    ("owner@demo.example", "Oya Owner", Role.OWNER),
    ("admin@demo.example", "Ali Admin", Role.ADMIN),
    ("operator@demo.example", "Okan Operator", Role.OPERATOR),
    ("viewer@demo.example", "Veli Viewer", Role.VIEWER),
]

# Used when a sandbox module does not say otherwise.
FALLBACK_CREDENTIALS = {
    "pasifik": {"username": "demo", "password": "demo-pass"},
    "telsam": {"username": "demo", "password": "demo-pass", "client_id": "demo-client", "client_secret": "demo-secret"},
    "verimor": {"api_key": "demo-key"},
    "telphin": {"client_id": "demo-client", "client_secret": "demo-secret", "extension_id": "100"},
}

DEMO_OPTIONS: dict[str, dict[str, Any]] = {
    "pasifik": {"language": "tr", "auth_scheme": "bare", "sender_ids": ["DEMO", "TELCOPORTAL"]},
    "telsam": {},
    "verimor": {},
    "telphin": {},
}

# option -> the sandbox module constants that hold the demo values
SANDBOX_OPTION_SOURCES = {
    "telephone_ids": ("DEMO_TELEPHONE_IDS",),
    "fax_numbers": ("DEMO_FAX_NUMBERS", "DEMO_NUMBERS", "DEMO_DID", "DEMO_FAX_NUMBER"),
}


# The sandbox modules name some credentials as their client does; the account form names them so.
FIELD_NAMES = {"key": "api_key"}


def sandbox_credentials(kind: str) -> dict[str, str]:
    try:
        module = importlib.import_module(f"sandbox.{kind}")
    except ModuleNotFoundError:
        return dict(FALLBACK_CREDENTIALS[kind])
    demo = {FIELD_NAMES.get(k, k): str(v) for k, v in getattr(module, "DEMO_CREDENTIALS", {}).items()}
    if hasattr(module, "DEMO_EXTENSION_ID"):
        demo["extension_id"] = str(module.DEMO_EXTENSION_ID)
    return {**FALLBACK_CREDENTIALS[kind], **demo}


def sandbox_options(kind: str) -> dict[str, Any]:
    options: dict[str, Any] = dict(DEMO_OPTIONS[kind])
    try:
        module = importlib.import_module(f"sandbox.{kind}")
    except ModuleNotFoundError:
        return options
    for option, names in SANDBOX_OPTION_SOURCES.items():
        for name in names:
            value = getattr(module, name, None)
            if value:
                options[option] = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
                break
    return options


class Command(BaseCommand):
    help = "Creates or refreshes the demo team and prints its people's passwords."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--sandbox-url", default="http://127.0.0.1:8001")

    @transaction.atomic
    def handle(self, *args: Any, sandbox_url: str, **options: Any) -> None:
        team, _ = Team.objects.get_or_create(name="Demo Lojistik A.Ş.")
        branch, _ = Team.objects.get_or_create(name="Demo Şube Ofisi")
        lines = []
        for email, name, role in DEMO_PEOPLE:
            user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            if role == Role.OWNER:
                user.is_staff = user.is_superuser = True  # so the demo can show /admin/ too
            user.save()
            Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
            lines.append((email, password, role.label))
        owner = User.objects.get(email=DEMO_PEOPLE[0][0])
        Membership.objects.get_or_create(team=branch, user=owner, defaults={"role": Role.OWNER})
        for kind in DEMO_OPTIONS:
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
        for email, password, role in lines:
            self.stdout.write(f"  {email.ljust(width)}  {password}  {role}")
