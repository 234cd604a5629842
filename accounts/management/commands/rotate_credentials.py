"""Re-encrypts every stored encrypted value with the newest key in CREDENTIAL_KEYS.

Every column of every model that is an ``EncryptedJSONField``: provider credentials and token caches, the
email-to-fax mailbox passwords, single sign-on client secrets and webhook secrets. A value left under an
old key would read as unreadable once that key is removed.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from accounts import crypto
from accounts.fields import Ciphertext, encrypted_fields
from accounts.models import ProviderAccount


def _describe(model: type[models.Model], pk: Any) -> str:
    if model is ProviderAccount:
        account = ProviderAccount.objects.values("label", "team_id").get(pk=pk)
        return f"provider account {pk} “{account['label']}” (team {account['team_id']})"
    return f"{model._meta.verbose_name} {pk} ({model._meta.label})"


class Command(BaseCommand):
    help = "Re-encrypts stored secrets with the first key of CREDENTIAL_KEYS (after adding a new key)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--skip-unreadable",
            action="store_true",
            help="Rotate the readable rows and leave the ones no key decrypts as they are (they are listed).",
        )

    @transaction.atomic
    def handle(self, *args: Any, skip_unreadable: bool = False, **options: Any) -> None:
        updates: list[tuple[type[models.Model], Any, dict[str, Ciphertext]]] = []
        unreadable: list[str] = []
        for model, fields in encrypted_fields():
            names = [f.attname for f in fields]
            rows = model._base_manager.order_by("pk").values_list("pk", *names)
            for pk, *values in rows.iterator():
                try:
                    rotated = {n: Ciphertext(crypto.rotate(v)) for n, v in zip(names, values, strict=True) if v}
                except InvalidToken:
                    unreadable.append(_describe(model, pk))
                    continue
                if rotated:
                    updates.append((model, pk, rotated))
        if unreadable and not skip_unreadable:
            raise CommandError(
                "No key in CREDENTIAL_KEYS decrypts the stored secrets of "
                + "; ".join(unreadable)
                + ". Add the key they were written with, enter them again, or run again with "
                "--skip-unreadable. Nothing was changed."
            )
        for model, pk, values in updates:
            model._base_manager.filter(pk=pk).update(**values)
        for name in unreadable:
            self.stderr.write(f"Skipped (no key decrypts it): {name}")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the secrets of {len(updates)} rows."))
