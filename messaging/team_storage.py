"""The files SMS keeps for a team (recipient files between tries, contact imports): its own folders."""

from __future__ import annotations

from accounts.models import Team
from accounts.team_files import TeamFiles

from . import uploads


def team_stored_files(team: Team) -> TeamFiles:
    from .services import contact_import

    paths = {path for path in team.contact_imports.values_list("path", flat=True) if path}
    folders = {f"{uploads.FOLDER}/{team.pk}", f"{contact_import.FOLDER}/{team.pk}"}
    return TeamFiles(paths=paths, folders=folders)
