from celery import shared_task

from .retention import retention_run


# Hours, not the default five minutes: a first run after a long retention is set can have much to delete;
# each batch commits on its own, so a run cut short leaves nothing half-done and the next one goes on.
@shared_task(name="privacy.apply_retention", soft_time_limit=3 * 3600, time_limit=3 * 3600 + 60)
def retention_apply() -> str:
    outcomes = retention_run()
    return f"deleted {sum(o.count for o in outcomes)}"
