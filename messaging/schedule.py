"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    "sms-delivery-reports": {
        "task": "messaging.tasks.sms_reports_poll_task",
        "schedule": 60.0,  # seconds; reports settle within minutes of a send
        "options": {"expires": 55},
    },
    "sms-purge-kept-uploads": {
        "task": "messaging.tasks.sms_uploads_purge_task",
        "schedule": 3600.0,
    },
}
