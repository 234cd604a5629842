"""A recipient file kept between a form error and the next try, so nobody has to choose it again.

Files live in the storage under the team's folder with an unguessable name; the
form carries ``<id>/<original name>`` in a hidden field. A day later they go.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Team
from core.stored_files import stored_listdir

FOLDER = "sms-uploads"
KEEP = timedelta(days=1)
_TOKEN = re.compile(r"^([0-9a-f]{32})/([^/\\\x00-\x1f]{1,200})$")


def _path(team: Team, key: str) -> str:
    return f"{FOLDER}/{team.pk}/{key}"


def stash(*, team: Team, name: str, data: bytes) -> str:
    key = uuid.uuid4().hex
    default_storage.save(_path(team, key), ContentFile(data))
    return f"{key}/{name.replace('/', '_')[:200]}"


def load(*, team: Team, token: str) -> tuple[str, bytes] | None:
    match = _TOKEN.match(token or "")
    if not match:
        return None
    path = _path(team, match.group(1))
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return match.group(2), handle.read()


def drop(*, team: Team, token: str) -> None:
    match = _TOKEN.match(token or "")
    if match:
        default_storage.delete(_path(team, match.group(1)))


def purge() -> int:
    """Removes kept files older than a day; returns how many."""
    cutoff = timezone.now() - KEEP
    removed = 0
    teams, _ = stored_listdir(FOLDER)
    for team in teams:
        _, files = stored_listdir(f"{FOLDER}/{team}")
        for name in files:
            path = f"{FOLDER}/{team}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed
