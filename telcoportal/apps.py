from django.apps import AppConfig


class TelcoportalConfig(AppConfig):
    name = "telcoportal"
    verbose_name = "Telcoportal"

    def ready(self) -> None:
        from . import celery  # noqa: F401  (binds @shared_task to our app)

        celery.ensure_filesystem_broker_folders()
