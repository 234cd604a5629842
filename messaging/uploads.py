"""A recipient file kept between a form error and the next try, so nobody has to choose it again.

Files live in the storage under the team's folder with an unguessable name; the
form carries ``<id>/<original name>`` in a hidden field. A day later they go.

Beside each file: the file as read once (``<id>.rows``, every number parsed, see
``recipients.parse_file``) and the plan the review showed (``<id>.plan``), so the
review's Confirm neither reads, decodes and parses the file again nor counts its
texts a second time. A removed file with its read rows still there confirms from them.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Team
from core.stored_files import stored_listdir

from .recipients import ParsedFile
from .services.plan import Plan

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
        for suffix in ("", ".rows", ".plan"):
            default_storage.delete(_path(team, match.group(1) + suffix))


def _beside(team: Team, token: str, suffix: str) -> str | None:
    match = _TOKEN.match(token or "")
    return _path(team, match.group(1) + suffix) if match else None


def _write(path: str, value: object) -> None:
    default_storage.delete(path)  # a new value replaces the old one under the same name
    default_storage.save(path, ContentFile(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()))


def _read(path: str | None) -> object:
    if path is None or not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        try:
            return json.loads(handle.read())
        except ValueError:  # cut short by a crash while it was written: read the file again instead
            return None


def stash_parsed(*, team: Team, token: str, parsed: ParsedFile) -> None:
    if path := _beside(team, token, ".rows"):
        fields = [parsed.headers, parsed.phone_by_header, parsed.name_column, parsed.first_row, parsed.rows]
        _write(path, fields)


def load_parsed(*, team: Team, token: str) -> ParsedFile | None:
    found = _read(_beside(team, token, ".rows"))
    if not isinstance(found, list) or len(found) != 5:
        return None
    headers, phone_by_header, name_column, first_row, rows = found
    return ParsedFile(headers, phone_by_header, name_column, first_row, [tuple(row) for row in rows])


def stash_plan(*, team: Team, token: str, review_key: str, reserve: int, plan: Plan) -> None:
    """The plan a review showed, for the Confirm of exactly that review (its key) to use as it is."""
    if path := _beside(team, token, ".plan"):
        _write(path, [review_key, reserve, plan.alphabet, plan.parts, plan.total_parts, plan.personalised])


def load_plan(*, team: Team, token: str, review_key: str, reserve: int) -> Plan | None:
    found = _read(_beside(team, token, ".plan"))
    if not isinstance(found, list) or len(found) != 6 or found[:2] != [review_key, reserve]:
        return None
    return Plan(alphabet=found[2], parts=found[3], total_parts=found[4], personalised=found[5])


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
