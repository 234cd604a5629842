from celery import shared_task

from . import heartbeat


@shared_task(name=heartbeat.TASK_NAME, ignore_result=True, soft_time_limit=10, time_limit=20)
def heartbeat_record() -> None:
    """Queued by beat (which stamps its own heartbeat on publishing it); run by a worker, which stamps its."""
    heartbeat.record("worker")
