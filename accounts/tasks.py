from celery import shared_task

from . import services


@shared_task(soft_time_limit=100, time_limit=120)
def invitations_purge_expired() -> str:
    return f"deleted {services.invitations_purge_expired()}"
