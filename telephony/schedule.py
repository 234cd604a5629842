"""Periodic tasks of this app (merged into CELERY_BEAT_SCHEDULE by the settings)."""

BEAT_SCHEDULE: dict[str, dict] = {
    "telephony-import-calls": {"task": "telephony.import_calls", "schedule": 300.0},
    # The analytics rollup: days whose call records changed since are made again (docs/performance.md).
    "telephony-refresh-call-stats": {"task": "telephony.refresh_call_stats", "schedule": 600.0},
    # Background calls exports past EXPORT_KEEP_DAYS: file and row deleted.
    "telephony-sweep-call-exports": {"task": "telephony.sweep_call_exports", "schedule": 3600.0},
}
