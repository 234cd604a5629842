from django.apps import AppConfig


class TelcoportalConfig(AppConfig):
    name = "telcoportal"
    verbose_name = "Telcoportal"

    def ready(self) -> None:
        from celery import signals

        from . import celery, heartbeat, provider_metrics, worker_metrics

        celery.ensure_filesystem_broker_folders()
        provider_metrics.install()
        signals.before_task_publish.connect(heartbeat.on_publish, weak=False, dispatch_uid="telcoportal-heartbeat")
        signals.worker_ready.connect(worker_metrics.on_worker_ready, weak=False, dispatch_uid="telcoportal-metrics")
