"""Settings of the Celery workers the drills start: the real settings, with a Redis broker.

Only the Redis visibility timeout differs, and only when a drill asks: a
message a killed worker held is handed out again once it has been unacked this
long (kombu's default is an hour, see docs/performance.md "Drills").
"""

import os

from telcoportal.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("DRILL_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
