from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accounts.provider_signals import provider_checked

        from . import unread  # noqa: F401  (the bell's cached count is forgotten when a notification is saved)

        provider_checked.connect(_provider_checked, dispatch_uid="notifications.provider_checked")


def _provider_checked(sender: object, **kwargs: Any) -> None:
    from .services import provider_check_recorded

    provider_check_recorded(
        account=kwargs["account"], ok=kwargs["ok"], error=kwargs["error"], was_healthy=kwargs["was_healthy"]
    )
