"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Retries come due here, and so does a delivery whose task the broker lost.
    "fax-to-email-deliver-due": {"task": "fax_to_email.deliver_due", "schedule": crontab(minute="*")},
}
