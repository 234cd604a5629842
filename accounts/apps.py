from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and teams")

    def ready(self) -> None:
        from core.export_kinds import export_kind_register

        from . import (
            checks,  # noqa: F401  (registers system checks)
            two_factor,  # noqa: F401  (forgets the cached "has a second factor" when a device changes)
            user_sessions,  # noqa: F401  (records log-ins and log-outs)
        )
        from .audit_export import AUDIT_LOG

        export_kind_register(AUDIT_LOG)
