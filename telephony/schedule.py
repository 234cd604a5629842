"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    "telephony-import-calls": {"task": "telephony.import_calls", "schedule": 300.0},
}
