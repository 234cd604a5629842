"""The files a team keeps in storage, so that deleting the team removes them too.

The apps above ``accounts`` store the files (fax documents and previews, call recordings, SMS
recipient files, contact imports); each registers, in its ``AppConfig.ready``, a finder that
names its files of one team: single paths (files that sit in shared dated folders, found from
its rows) and folders that belong to the team alone (``recordings/<team id>/``). Rows are
deleted in the team's transaction; the files only once it committed, so a deletion that fails
leaves every file its rows point at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.files.storage import default_storage

from core.stored_files import stored_listdir

from .models import Team

log = logging.getLogger(__name__)


@dataclass
class TeamFiles:
    paths: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)

    def add(self, other: TeamFiles) -> None:
        self.paths |= other.paths
        self.folders |= other.folders


TeamFilesFinder = Callable[[Team], TeamFiles]
_finders: dict[str, TeamFilesFinder] = {}


def team_files_register(name: str, finder: TeamFilesFinder) -> None:
    """``finder(team)`` names the team's files an app stores (registering a name again replaces it)."""
    _finders[name] = finder


def team_files(team: Team) -> TeamFiles:
    found = TeamFiles()
    for finder in _finders.values():
        found.add(finder(team))
    return found


def _walk(folder: str) -> Iterator[tuple[str, bool]]:
    """``(path, is_folder)`` of everything under ``folder``, its files before the folder (empty when reached)."""
    folders, files = stored_listdir(folder)
    for name in folders:
        yield from _walk(f"{folder}/{name}")
    for name in files:
        yield f"{folder}/{name}", False
    if default_storage.exists(folder):  # a local folder, left empty; a bucket has no folder to remove
        yield folder, True


def team_files_remove(files: TeamFiles) -> int:
    """Deletes the files and folders from storage; returns how many files went. A file already gone is fine."""
    removed = 0
    for path in sorted(files.paths):
        if path and default_storage.exists(path):
            default_storage.delete(path)
            removed += 1
    for folder in sorted(files.folders):
        for path, is_folder in _walk(folder):
            try:
                default_storage.delete(path)
            except OSError:  # a folder another process wrote into meanwhile: the files went, it stays
                log.warning("could not remove %s from storage", path)
                continue
            removed += not is_folder
    return removed
