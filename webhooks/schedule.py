"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Retries come due here, and so does a delivery whose task the broker lost.
    "webhooks-deliver-due": {
        "task": "webhooks.deliver_due",
        "schedule": crontab(minute="*"),
    },
}
