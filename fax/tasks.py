"""Celery entry points for fax: thin, they take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from accounts.models import ProviderAccount
from core.tasks import Task
from providers.errors import ProviderError

from .documents import memory_cap
from .models import Fax
from .services import drafts, inbox, retry, scheduled, sending, tracking, watchdog


# acks_late + reject_on_worker_lost: a send whose worker dies goes back to the queue; the claim
# (queued → sending) makes the second run a no-op once the first one had started.
@shared_task(
    base=Task,
    name="fax.send_fax",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=sending.SEND_SOFT_TIME_LIMIT,
    time_limit=sending.SEND_TIME_LIMIT,
)
def send_fax(fax_id: int) -> str:
    result = sending.fax_send(fax_id=fax_id)
    if result == "retry-later":
        send_fax.apply_async((fax_id,), countdown=retry.next_attempt_delay(fax_id))
    return result


@shared_task(base=Task, name="fax.render_draft", bind=True, soft_time_limit=120, time_limit=150)
def render_draft(self: Task, draft_id: int) -> str:
    if self.request.is_eager:  # in the web process: a cap on it would bind its other threads too
        return drafts.draft_render(draft_id=draft_id)
    with memory_cap(settings.FAX_RENDER_MEMORY_MB):
        return drafts.draft_render(draft_id=draft_id)


@shared_task(name="fax.track_fax", soft_time_limit=60, time_limit=90)
def track_fax(fax_id: int) -> str:
    fax = Fax.objects.select_related("account", "team").filter(pk=fax_id).first()
    return tracking.fax_track(fax=fax) if fax else "gone"


@shared_task(name="fax.poll_outgoing_faxes", soft_time_limit=60, time_limit=90)
def poll_outgoing_faxes() -> str:
    tracked = tracking.faxes_to_track()
    for pk in tracked:
        track_fax.delay(pk)
    return f"tracking {len(tracked)}, requeued {_resume_stale()}"


@shared_task(name="fax.fetch_account_inbox", soft_time_limit=300, time_limit=330)
def fetch_incoming_for_account(account_id: int) -> str:
    account = ProviderAccount.objects.select_related("team").filter(pk=account_id, is_active=True).first()
    if account is None:
        return "gone"
    try:
        return f"{inbox.fax_fetch_incoming(account=account)} new"
    except ProviderError as exc:
        return f"error: {exc}"


@shared_task(name="fax.fetch_incoming_faxes", soft_time_limit=60, time_limit=90)
def fetch_incoming_faxes() -> str:
    accounts = list(ProviderAccount.objects.filter(is_active=True).values_list("pk", flat=True))
    for pk in accounts:
        fetch_incoming_for_account.delay(pk)
    return f"{len(accounts)} accounts"


@shared_task(name="fax.release_scheduled", soft_time_limit=25, time_limit=30)
def fax_scheduled_release() -> str:
    return f"released {scheduled.fax_scheduled_release()}"


@shared_task(name="fax.watch_sends", soft_time_limit=50, time_limit=60)
def fax_send_watchdog() -> str:
    """Resumes the sends that stopped: queued faxes whose task is gone, sends cut off on the wire."""
    requeued = _resume_stale()
    cut_off = watchdog.sends_cut_off()
    for pk in cut_off:
        track_fax.delay(pk)  # reconciles it from the provider's records
    return f"requeued {requeued}, cut off {len(cut_off)}"


@shared_task(name="fax.watch_drafts", soft_time_limit=25, time_limit=30)
def fax_draft_watchdog() -> str:
    """Queues again the previews whose render task was lost (its worker died); gives up after a few."""
    again = watchdog.drafts_render_stalled()
    for pk in again:
        render_draft.delay(pk)
    return f"requeued {len(again)} previews"


@shared_task(name="fax.watch_stuck_faxes", soft_time_limit=60, time_limit=90)
def fax_watchdog() -> str:
    return f"{watchdog.fax_watchdog()} stuck"


def _resume_stale() -> int:
    """Queues again the queued faxes whose send task is gone; how many."""
    stale = watchdog.stale_queued()
    for pk in stale:
        send_fax.delay(pk)
    return len(stale)
