"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "purge-idempotency-keys": {
        "task": "api.purge_idempotency_keys",
        "schedule": crontab(minute=17, hour=3),
    },
}
