from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("SMS")

    def ready(self) -> None:
        from accounts.team_files import team_files_register
        from core.export_kinds import export_kind_register

        from .exports import SMS_BATCHES, SMS_RECIPIENTS
        from .team_storage import team_stored_files

        # Deleting a team removes these files too (accounts cannot know them).
        team_files_register("messaging", team_stored_files)
        export_kind_register(SMS_BATCHES)
        export_kind_register(SMS_RECIPIENTS)
