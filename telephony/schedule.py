"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    "telephony-import-calls": {"task": "telephony.import_calls", "schedule": 300.0},
    # The analytics rollup: days whose call records changed since are made again (docs/performance.md).
    "telephony-refresh-call-stats": {"task": "telephony.refresh_call_stats", "schedule": 600.0},
}
