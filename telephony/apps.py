from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "telephony"
    verbose_name = _("Calls and PBX")

    def ready(self) -> None:
        from accounts.team_files import team_files_register
        from core.export_kinds import export_kind_register

        from .export_kind import CALLS
        from .team_storage import team_stored_files

        # Deleting a team removes these files too (accounts cannot know them).
        team_files_register("telephony", team_stored_files)
        export_kind_register(CALLS)
