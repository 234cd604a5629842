from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from accounts.provider_signals import provider_checked

        provider_checked.connect(_provider_checked, dispatch_uid="webhooks.provider_checked")


def _provider_checked(sender: object, **kwargs: Any) -> None:
    from .emitters import provider_failing_emit

    if not kwargs["ok"] and kwargs["was_healthy"]:
        provider_failing_emit(account=kwargs["account"], error=kwargs["error"])
