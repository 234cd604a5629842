"""Re-encrypts every stored credential with the newest key in CREDENTIAL_KEYS."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts import crypto
from accounts.models import ProviderAccount

ENCRYPTED_COLUMNS = ("credentials", "token_cache")


class Command(BaseCommand):
    help = "Re-encrypts provider credentials with the first key of CREDENTIAL_KEYS (after adding a new key)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--skip-unreadable",
            action="store_true",
            help="Rotate the readable accounts and leave the ones no key decrypts as they are (they are listed).",
        )

    @transaction.atomic
    def handle(self, *args: Any, skip_unreadable: bool = False, **options: Any) -> None:
        table = connection.ops.quote_name(ProviderAccount._meta.db_table)
        rotated = 0
        unreadable: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, team_id, label, {', '.join(ENCRYPTED_COLUMNS)} FROM {table} ORDER BY id"  # noqa: S608
            )
            rows = cursor.fetchall()
            updates: list[tuple[int, list[str]]] = []
            for pk, team_id, label, *values in rows:
                try:
                    updates.append((pk, [crypto.rotate(v) if v else v for v in values]))
                except InvalidToken:
                    unreadable.append(f"provider account {pk} “{label}” (team {team_id})")
            if unreadable and not skip_unreadable:
                raise CommandError(
                    "No key in CREDENTIAL_KEYS decrypts the credentials of "
                    + "; ".join(unreadable)
                    + ". Add the key they were written with, re-enter their credentials, or run again with "
                    "--skip-unreadable. Nothing was changed."
                )
            assignments = ", ".join(f"{c} = %s" for c in ENCRYPTED_COLUMNS)
            for pk, new_values in updates:
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*new_values, pk])  # noqa: S608
                rotated += 1
        for name in unreadable:
            self.stderr.write(f"Skipped (no key decrypts it): {name}")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the credentials of {rotated} provider accounts."))
