"""Celery entry points for SMS: thin, they call services and say what happened."""

from celery import shared_task

from core.tasks import Task

from .services import reports, scheduled, send, send_queue


# acks_late + reject_on_worker_lost: a send whose worker (or worker child) dies goes back to the
# queue at once, and the chunk claims make the second run skip whatever the first one sent.
@shared_task(
    base=Task,
    name="messaging.send_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1500,
    time_limit=1800,
)
def sms_batch_send_task(batch_id: int) -> str:
    return send.sms_batch_send(batch_id=batch_id)


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
