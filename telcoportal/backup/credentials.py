"""Whether the encrypted values of a database decrypt with this portal's CREDENTIAL_KEYS.

An archive holds credentials encrypted, never the keys (they are kept apart, docs/deploy.md "Backups"):
a restore with other keys gets every row back but no provider, single sign-on or webhook secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts import crypto
from accounts.fields import encrypted_fields


@dataclass
class EncryptedValues:
    total: int = 0
    unreadable: dict[str, int] = field(default_factory=dict)  # "app_label.Model.field" -> how many

    @property
    def unreadable_total(self) -> int:
        return sum(self.unreadable.values())


def encrypted_values_check(*, using: str = "default") -> EncryptedValues:
    """Tries every stored encrypted value (read raw, as stored) against the configured keys."""
    found = EncryptedValues()
    for model, fields in encrypted_fields():
        for model_field in fields:
            label = f"{model._meta.label}.{model_field.name}"
            stored = model._base_manager.using(using).values_list(model_field.attname, flat=True)
            for token in stored.iterator():
                if not isinstance(token, str) or not token:  # an empty column reads as {}: nothing encrypted
                    continue
                found.total += 1
                try:
                    crypto.decrypt_json(token)
                except crypto.CredentialsUnreadable:
                    found.unreadable[label] = found.unreadable.get(label, 0) + 1
    return found
