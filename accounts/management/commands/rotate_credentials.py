"""Re-encrypts every stored credential with the newest key in CREDENTIAL_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts import crypto
from accounts.models import ProviderAccount

ENCRYPTED_COLUMNS = ("credentials", "token_cache")


class Command(BaseCommand):
    help = "Re-encrypts provider credentials with the first key of CREDENTIAL_KEYS (after adding a new key)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        table = connection.ops.quote_name(ProviderAccount._meta.db_table)
        rotated = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {', '.join(ENCRYPTED_COLUMNS)} FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            for pk, *values in rows:
                new_values = [crypto.rotate(v) if v else v for v in values]
                assignments = ", ".join(f"{c} = %s" for c in ENCRYPTED_COLUMNS)
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*new_values, pk])  # noqa: S608
                rotated += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the credentials of {rotated} provider accounts."))
