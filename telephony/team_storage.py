"""The files calls keep for a team: the recordings downloaded from the PBX and the background exports, in the
team's own folders."""

from __future__ import annotations

from accounts.models import Team
from accounts.team_files import TeamFiles

RECORDINGS = "recordings"  # services.recording_storage_name puts each under recordings/<team id>/
EXPORTS = "exports"  # export_jobs.FOLDER: background calls exports under exports/<team id>/


def team_stored_files(team: Team) -> TeamFiles:
    paths = {name for name in team.call_records.exclude(recording="").values_list("recording", flat=True) if name}
    return TeamFiles(paths=paths, folders={f"{RECORDINGS}/{team.pk}", f"{EXPORTS}/{team.pk}"})
