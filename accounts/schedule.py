"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "purge-expired-invitations": {
        "task": "accounts.tasks.invitations_purge_expired",
        "schedule": crontab(minute=17, hour=3),
    },
    "check-provider-accounts": {
        "task": "accounts.tasks.provider_accounts_check_all",
        "schedule": crontab(minute="*/30"),
    },
}
