"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "check-low-balances": {
        "task": "notifications.check_balances",
        "schedule": crontab(minute="*/15"),
    },
}
