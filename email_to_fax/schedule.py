"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    # Each enabled IMAP (or demo folder) mailbox is read once a minute.
    "email-to-fax-poll": {"task": "email_to_fax.poll_mailboxes", "schedule": 60.0, "options": {"expires": 55}},
}
