"""Celery entry points for call imports: thin, they call services."""

from __future__ import annotations

from celery import shared_task

from accounts.models import ProviderAccount
from accounts.provider_specs.pasifik import PASIFIK

from . import services, stats_rollup


@shared_task(name="telephony.import_account_calls", soft_time_limit=540, time_limit=600)
def calls_import_account(account_id: int) -> str:
    account = ProviderAccount.objects.filter(pk=account_id, kind=PASIFIK.kind, is_active=True).first()
    if account is None:
        return "skipped: no such active Pasifik account"
    return services.calls_import(account=account).status()


@shared_task(name="telephony.import_calls", soft_time_limit=60, time_limit=90)
def calls_import_all() -> str:
    """Queues one import per active Pasifik account (run by beat)."""
    ids = list(services.calls_accounts().values_list("pk", flat=True))
    for account_id in ids:
        calls_import_account.delay(account_id)
    return f"queued {len(ids)}"


@shared_task(name="telephony.refresh_call_stats", soft_time_limit=540, time_limit=600)
def call_stats_refresh_all() -> str:
    """Brings every team's analytics rollup up to date (run by beat)."""
    return f"{stats_rollup.call_stats_refresh_all()} days made again"
