"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "purge-expired-invitations": {
        "task": "accounts.purge_expired_invitations",
        "schedule": crontab(minute=17, hour=3),
    },
    "check-provider-accounts": {
        "task": "accounts.check_provider_accounts",
        "schedule": crontab(minute="*/30"),
    },
}
