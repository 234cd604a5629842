"""Celery entry points of fax to email: thin, they call the delivery service."""

from __future__ import annotations

from celery import shared_task

from core.tasks import Task

from . import delivery


# acks_late: a worker lost mid-attempt leaves the message to another, and the claim keeps it single.
@shared_task(base=Task, name="fax_to_email.send_delivery", acks_late=True, soft_time_limit=120, time_limit=150)
def delivery_send_task(delivery_id: int) -> str:
    return delivery.delivery_send(delivery_id=delivery_id)


@shared_task(base=Task, name="fax_to_email.deliver_due", soft_time_limit=50, time_limit=60)
def deliveries_due_task() -> str:
    ids = delivery.deliveries_due()
    for pk in ids:
        delivery_send_task.delay(pk)
    return f"queued {len(ids)}"
