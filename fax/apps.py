from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaxConfig(AppConfig):
    name = "fax"
    verbose_name = _("Fax")

    def ready(self) -> None:
        from accounts.team_files import team_files_register
        from core.export_kinds import export_kind_register

        from .exports import FAXES
        from .services.storage import team_stored_files

        # Deleting a team removes these files too (accounts cannot know them).
        team_files_register("fax", team_stored_files)
        export_kind_register(FAXES)

        from notifications.messages import kind_formatters_register
        from notifications.models import Kind

        from .timeline import render_error, status_word

        # A fax notification's status code and error key read in the reader's language.
        kind_formatters_register(Kind.FAX_STUCK, status=status_word)
        kind_formatters_register(Kind.FAX_FAILED, error=render_error)
