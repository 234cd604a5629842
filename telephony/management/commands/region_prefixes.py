"""Writes telephony/region_prefixes.json again from the installed phonenumbers (after upgrading it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...region_prefixes import write


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # it reads no setting and no database
    help = "Derives the +1, +7 and +44 number prefixes the calls export names in SQL from phonenumbers' metadata."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"wrote {write()}")
