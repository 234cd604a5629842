"""System checks: credential keys present, provider accounts that cannot work, and (with
``--deploy``) a production setup that would only work on one machine."""

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


@register()
def provider_url_allowlist_valid(app_configs: Any, **kwargs: Any) -> list[Error]:
    from providers.urlsafety import AllowList

    try:
        AllowList.parse(getattr(settings, "PROVIDER_URL_ALLOWLIST", []) or [])
    except ValueError as exc:
        return [Error(str(exc), hint="See docs/deploy.md, “Provider addresses”.", id="telcoportal.E002")]
    return []


@register(Tags.database)
def provider_accounts_usable(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[Warning]:
    from .models import ProviderAccount
    from .provider_registry import spec_for

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
        if account.credentials_unreadable:
            warnings.append(
                Warning(
                    f"Provider account {account.pk} ({account.kind}, “{account.label}”): no key in "
                    "CREDENTIAL_KEYS decrypts its credentials; re-enter them or restore the key.",
                    id="telcoportal.W002",
                )
            )
            continue
        missing = [c.name for c in spec_for(account.kind).credentials if not account.credentials.get(c.name)]
        if missing:
            warnings.append(
                Warning(
                    f"Provider account {account.pk} ({account.kind}) lacks credentials: {', '.join(missing)}.",
                    id="telcoportal.W001",
                )
            )
    return warnings


# Backends that keep their data inside one process or on one machine's disk, by class name: Django's own
# and django-prometheus' wrappers of them (the settings' metrics backends) alike.
ONE_MACHINE_CACHES = {
    "LocMemCache": "per-process memory",
    "FileBasedCache": "files on this machine",
    "DummyCache": "no cache",
}
ONE_MACHINE_BROKERS = ("filesystem://", "memory://")


def broker_transport(url: str) -> str:
    return url.split("://", 1)[0] if "://" in url else url


def one_machine_findings() -> list[tuple[str, str, str]]:
    """(check id, what is wrong, how to fix it) for each part of the setup that cannot be shared."""
    findings: list[tuple[str, str, str]] = []
    if settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"):
        findings.append(
            (
                "telcoportal.W010",
                "The database is SQLite: one machine, one writer at a time.",
                "Set DATABASE_URL=postgres://user:pass@host:5432/telcoportal (docs/deploy.md).",
            )
        )
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(ONE_MACHINE_BROKERS):
        findings.append(
            (
                "telcoportal.W011",
                f"The Celery broker is {broker_transport(broker)}://: tasks never leave this machine.",
                "Set CELERY_BROKER_URL=redis://host:6379/0 (or amqp://).",
            )
        )
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if cache in ONE_MACHINE_CACHES:
        findings.append(
            (
                "telcoportal.W012",
                f"The cache is {ONE_MACHINE_CACHES[cache]}: each web process sees its own.",
                "Set CACHE_URL=redis://host:6379/1.",
            )
        )
    # Any other backend (S3Storage: STORAGE_BACKEND=s3) is a store every machine reaches over the network.
    storage = settings.STORAGES["default"]["BACKEND"]
    if storage == "django.core.files.storage.FileSystemStorage" and not settings.MEDIA_SHARED:
        findings.append(
            (
                "telcoportal.W013",
                f"Media files are in the local folder {settings.MEDIA_ROOT}, not declared shared.",
                'Put media in a bucket (STORAGE_BACKEND=s3, docs/deploy.md "Storage"), or mount one folder on '
                "every web and worker machine (NFS, EFS...) and set MEDIA_SHARED=1.",
            )
        )
    return findings


@register(Tags.security, deploy=True)
def production_is_not_one_machine(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG:
        return []
    return [Warning(message, hint=hint, id=check_id) for check_id, message, hint in one_machine_findings()]
