from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("SMS")

    def ready(self) -> None:
        from accounts.team_files import team_files_register

        from .team_storage import team_stored_files

        # Deleting a team removes these files too (accounts cannot know them).
        team_files_register("messaging", team_stored_files)

        from .collation import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="messaging-turkish-collation")
