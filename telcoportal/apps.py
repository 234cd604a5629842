from django.apps import AppConfig


class TelcoportalConfig(AppConfig):
    name = "telcoportal"
    verbose_name = "Telcoportal"

    def ready(self) -> None:
        from . import celery

        celery.ensure_filesystem_broker_folders()
