from celery import shared_task

from . import idempotency


@shared_task(name="api.purge_idempotency_keys", soft_time_limit=120, time_limit=180)
def idempotency_keys_purge() -> str:
    return f"purged {idempotency.idempotency_purge()}"
