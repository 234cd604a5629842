from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Installed for its template tags (``{% load ui %}``); the date formats are ``FORMAT_MODULE_PATH``."""

    name = "core"
    verbose_name = "Core"
