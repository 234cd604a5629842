from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    """Template tags (``{% load ui %}``), the date formats (``FORMAT_MODULE_PATH``), SQLite's Turkish and C
    collations."""

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .collation import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="core-turkish-collation")
