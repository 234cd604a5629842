"""Celery entry point of the scheduled reports: thin, it calls the service."""

from __future__ import annotations

from celery import shared_task

from core.tasks import Task

from . import services


@shared_task(base=Task, name="reports.send_reports", soft_time_limit=1800, time_limit=1900)
def reports_send() -> str:
    outcomes = services.reports_send_due()
    return ", ".join(f"{outcome}: {count}" for outcome, count in sorted(outcomes.items())) or "none due"
