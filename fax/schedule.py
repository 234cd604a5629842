"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    "fax-poll-outgoing": {"task": "fax.poll_outgoing_faxes", "schedule": 60.0},
    "fax-fetch-incoming": {"task": "fax.fetch_incoming_faxes", "schedule": 120.0},
    "fax-watchdog": {"task": "fax.watch_stuck_faxes", "schedule": 600.0},
    # Queues held (scheduled) faxes once they are due within SEND_HOLD_THRESHOLD_MINUTES (a claim: once each).
    "fax-release-scheduled": {"task": "fax.release_scheduled", "schedule": 30.0, "options": {"expires": 25}},
    # Resumes sends that stopped (SEND_STALL_SECONDS without progress), like the SMS send watchdog.
    "fax-send-watchdog": {"task": "fax.watch_sends", "schedule": 10.0, "options": {"expires": 9}},
    # Renders again the previews whose task was lost with its worker (fax.services.watchdog.RENDER_STALL).
    "fax-draft-watchdog": {"task": "fax.watch_drafts", "schedule": 30.0, "options": {"expires": 25}},
}
