"""System checks: credential keys present, and provider accounts that cannot work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from .crypto import CredentialsUnreadable


@register()
def credential_keys_configured(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.CREDENTIAL_KEYS:
        return [
            Error(
                "CREDENTIAL_KEYS is empty: provider credentials cannot be encrypted.",
                hint="Set CREDENTIAL_KEYS to a Fernet key (`make demo` writes one into .env).",
                id="telcoportal.E001",
            )
        ]
    return []


@register(Tags.database)
def provider_accounts_usable(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[Warning]:
    from .models import ProviderAccount
    from .provider_kinds import spec_for

    warnings: list[Warning] = []
    if not databases:
        return warnings
    try:
        accounts = list(ProviderAccount.objects.filter(is_active=True).only("id", "kind", "label", "credentials"))
    except (DatabaseError, CredentialsUnreadable) as exc:
        if isinstance(exc, CredentialsUnreadable):
            return [
                Warning("Some provider credentials cannot be decrypted with CREDENTIAL_KEYS.", id="telcoportal.W002")
            ]
        return []
    for account in accounts:
        missing = [c.name for c in spec_for(account.kind).credentials if not account.credentials.get(c.name)]
        if missing:
            warnings.append(
                Warning(
                    f"Provider account {account.pk} ({account.kind}) lacks credentials: {', '.join(missing)}.",
                    id="telcoportal.W001",
                )
            )
    return warnings
