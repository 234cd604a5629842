"""Celery entry points for SMS: thin, they call services and say what happened."""

from typing import Any

from celery import shared_task

from core.tasks import Task

from .services import reports, scheduled, send, send_queue, store

# acks_late + reject_on_worker_lost: a batch's send or storing whose worker (or worker child) dies goes
# back to the queue at once, and the second run skips whatever the first one did (the chunk claims of a
# send, the chunks a storing wrote).
BATCH_TASK_OPTIONS: dict[str, Any] = {
    "base": Task,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 1500,
    "time_limit": 1800,
}


@shared_task(name="messaging.send_batch", **BATCH_TASK_OPTIONS)
def sms_batch_send_task(batch_id: int) -> str:
    return send.sms_batch_send(batch_id=batch_id)


@shared_task(name="messaging.store_batch", **BATCH_TASK_OPTIONS)
def sms_batch_store_task(batch_id: int) -> str:
    return store.sms_batch_store(batch_id=batch_id)


@shared_task(name="messaging.watch_sends", soft_time_limit=50, time_limit=60)
def sms_send_watchdog_task() -> str:
    return send_queue.sms_send_watchdog()


@shared_task(name="messaging.release_scheduled", soft_time_limit=25, time_limit=30)
def sms_scheduled_release_task() -> str:
    return f"released {scheduled.sms_scheduled_release()}"


@shared_task(name="messaging.poll_reports", soft_time_limit=240, time_limit=300)
def sms_reports_poll_task() -> str:
    return reports.sms_reports_poll()


@shared_task(name="messaging.purge_uploads", soft_time_limit=100, time_limit=120)
def sms_uploads_purge_task() -> str:
    from . import uploads

    return f"removed {uploads.purge()}"


@shared_task(base=Task, name="messaging.import_contacts", soft_time_limit=1500, time_limit=1800)
def contact_import_task(job_id: int) -> str:
    from .services import contact_import

    return contact_import.contact_import_run(job_id=job_id)


@shared_task(name="messaging.resume_contact_imports")
def contact_imports_resume_task() -> str:
    from .services import contact_import

    return f"queued again {contact_import.contact_imports_resume()}"


@shared_task(name="messaging.expire_contact_imports", soft_time_limit=100, time_limit=120)
def contact_imports_expire_task() -> str:
    from .services import contact_import

    return f"expired {contact_import.contact_imports_expire()}"
