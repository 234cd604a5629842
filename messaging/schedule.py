"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    # Resumes batches whose send stopped (SEND_STALL_SECONDS without progress): every 10 s, so a
    # stopped send is going again within about 70 s.
    "sms-send-watchdog": {
        "task": "messaging.watch_sends",
        "schedule": 10.0,
        "options": {"expires": 9},
    },
    # Hands held (scheduled) batches to the send queue once they are due within SEND_HOLD_THRESHOLD_MINUTES;
    # the release is a claim, so a late or doubled beat releases a batch once.
    "sms-release-scheduled": {
        "task": "messaging.release_scheduled",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "sms-delivery-reports": {
        "task": "messaging.poll_reports",
        "schedule": 60.0,  # seconds; reports settle within minutes of a send
        "options": {"expires": 55},
    },
    "sms-resume-contact-imports": {
        "task": "messaging.resume_contact_imports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "sms-expire-contact-imports": {
        "task": "messaging.expire_contact_imports",
        "schedule": 3600.0,
    },
    "sms-purge-kept-uploads": {
        "task": "messaging.purge_uploads",
        "schedule": 3600.0,
    },
}
