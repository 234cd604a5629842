"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Once a day, at night in Turkey (CELERY_TIMEZONE is UTC).
    "privacy-apply-retention": {"task": "privacy.apply_retention", "schedule": crontab(minute=20, hour=0)},
}
