from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportJobsConfig(AppConfig):
    name = "exportjobs"
    verbose_name = _("Background exports")

    def ready(self) -> None:
        from accounts.team_files import TeamFiles, team_files_register
        from notifications.messages import kind_formatters_register
        from notifications.models import Kind

        from .services import FOLDER

        # Deleting a team removes its export files too (accounts cannot know them).
        team_files_register("exportjobs", lambda team: TeamFiles(folders={f"{FOLDER}/{team.pk}"}))
        # "Calls export", "Audit log export"… in the reader's language, from the kind's name kept in the notice.
        kind_formatters_register(Kind.EXPORT_READY, export=_export_label)


def _export_label(name: Any) -> str:
    from core.export_kinds import export_kind

    kind = export_kind(str(name))
    return str(kind.label) if kind else str(name)
