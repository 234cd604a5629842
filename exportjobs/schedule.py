"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    # Background exports past EXPORT_KEEP_DAYS: file and row deleted.
    "exportjobs-sweep": {"task": "exportjobs.sweep_exports", "schedule": 3600.0},
}
