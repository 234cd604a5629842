"""``manage.py retention_run [--dry-run] [--team ID]``: what the daily task does, or what it would delete."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Team
from privacy.retention import retention_preview, retention_run


class Command(BaseCommand):
    help = "Deletes the data whose retention has expired (or, with --dry-run, lists what would be deleted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what the next run would delete")
        parser.add_argument("--team", type=int, help="only this team (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        team = None
        if options["team"] is not None:
            team = Team.objects.filter(pk=options["team"]).first()
            if team is None:
                raise CommandError(f"no team with id {options['team']}")
        dry_run = options["dry_run"]
        outcomes = retention_preview(team=team) if dry_run else retention_run(team=team)
        verb = "would delete" if dry_run else "deleted"
        for o in outcomes:
            oldest = f", oldest {o.oldest.isoformat()}" if o.oldest else ""
            extra = f" ({o.recipients} recipients)" if o.recipients else ""
            self.stdout.write(
                f"{o.team.name} [{o.team.pk}] {o.kind.value} ({o.days} days): {verb} {o.count}{extra}{oldest}"
            )
        if not outcomes:
            self.stdout.write("no team keeps any kind for a limited time")
