"""The files calls keep for a team: the recordings downloaded from the PBX, in the team's own folder (background
exports are ``exportjobs``')."""

from __future__ import annotations

from accounts.models import Team
from accounts.team_files import TeamFiles

RECORDINGS = "recordings"  # services.recording_storage_name puts each under recordings/<team id>/


def team_stored_files(team: Team) -> TeamFiles:
    paths = {name for name in team.call_records.exclude(recording="").values_list("recording", flat=True) if name}
    return TeamFiles(paths=paths, folders={f"{RECORDINGS}/{team.pk}"})
