"""Makes an API token for a member from the command line (scripts, the demo); prints it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Membership

from ...scopes import Scope
from ...tokens import EXPIRY_DAYS, token_create


class Command(BaseCommand):
    help = "Makes an API token for a team member and prints it (it is shown only this once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="the member's email address")
        parser.add_argument("--team", default="", help="the team's name (needed when the person is in several)")
        parser.add_argument("--scope", choices=Scope.values, default=Scope.READ)
        parser.add_argument("--days", type=int, choices=EXPIRY_DAYS, default=EXPIRY_DAYS[1])
        parser.add_argument("--name", default="command line")

    def handle(self, *args: Any, email: str, team: str, scope: str, days: int, name: str, **options: Any) -> None:
        memberships = Membership.objects.filter(user__email__iexact=email).select_related("team", "user")
        if team:
            memberships = memberships.filter(team__name=team)
        found = list(memberships[:10])
        if not found:
            raise CommandError(f"{email} is not a member of {team or 'any team'}.")
        if len(found) > 1:
            teams = ", ".join(repr(m.team.name) for m in found)
            raise CommandError(f"{email} is in several teams: choose one with --team ({teams}).")
        membership = found[0]
        if membership.api_tokens.filter(name=name).exists():
            raise CommandError(f"{email} already has a token named {name!r}: choose another --name.")
        new = token_create(membership=membership, name=name, scope=scope, days=days)
        self.stdout.write(new.raw)
        self.stderr.write(
            f"Token {name!r} of {email} in {membership.team.name} (role {membership.role}, scope {scope}), "
            f"expires {new.token.expires_at:%Y-%m-%d}. It is shown only this once."
        )
