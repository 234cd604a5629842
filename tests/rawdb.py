"""Reading a column as the database stores it, bypassing the ORM's decryption."""

from __future__ import annotations

from django.db import connection

from accounts.models import ProviderAccount


def raw_column(account: ProviderAccount, column: str = "credentials") -> str:
    table = connection.ops.quote_name(ProviderAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]
