"""The Celery app: settings under the CELERY_ namespace, tasks autodiscovered, the project's task class."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telcoportal.settings")

# Every task is a core.tasks.Task: ``delay_on_commit``/``apply_async_on_commit`` that survive a broker outage.
app = Celery("telcoportal", task_cls="core.tasks:Task")
# A worker started with `-A telcoportal.celery` loads Django itself.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders() -> None:
    """The file transport needs its folders to exist before anything is queued."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
