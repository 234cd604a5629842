"""Celery entry points for background exports: thin, they call services."""

from __future__ import annotations

from celery import shared_task

from core.tasks import Task

from . import services


# Long: a million rows take minutes. Not acks_late: a worker lost mid-export leaves the job "running" and the sweep
# removes it after a day; the person asks again.
@shared_task(base=Task, name="exportjobs.write_export", soft_time_limit=3300, time_limit=3600)
def export_job_write_task(job_id: int) -> str:
    return services.export_job_write(job_id=job_id)


@shared_task(name="exportjobs.sweep_exports", soft_time_limit=540, time_limit=600)
def export_jobs_sweep_task() -> str:
    """Deletes expired export files (run by beat)."""
    return f"{services.export_jobs_sweep()} exports deleted"
