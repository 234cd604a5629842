"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    # Hourly: a report goes out in the first hour after its period ends in the team's zone; a second
    # run (or a second beat) finds the period already claimed.
    "reports-send": {"task": "reports.send_reports", "schedule": 3600.0},
}
