"""The Celery app: settings under the CELERY_ namespace, tasks autodiscovered, the project's task class."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telcoportal.settings")

# Every task is a core.tasks.Task: ``delay_on_commit``/``apply_async_on_commit`` that survive a broker outage.
app = Celery("telcoportal", task_cls="core.tasks:Task")
# A worker started with `-A telcoportal.celery` loads Django itself.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.import_modules.connect(weak=False)  # after the autodiscovery above, which this signal also runs
def answer_to_old_task_names(sender: Celery, **kwargs: Any) -> None:
    """Tasks are named ``<app>.<verb>_<noun>``; before, Celery named them by module (``fax.tasks.track_fax``).

    A message queued under the old name before a deploy still runs: the worker knows both.
    """
    for task in list(sender.tasks.values()):
        old = f"{task.run.__module__}.{task.run.__name__}"
        if old != task.name and old.split(".")[0] == task.name.split(".")[0]:
            sender.tasks.setdefault(old, task)


def ensure_filesystem_broker_folders() -> None:
    """The file transport needs its folders to exist before anything is queued."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
