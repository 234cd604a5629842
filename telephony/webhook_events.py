"""What telephony tells the team's webhook endpoints: ``call.recorded``, when an import brings a call's recording."""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import ProviderAccount
from webhooks.emitters import emit_many, is_wanted
from webhooks.models import EventType

from .models import CallRecord


def calls_recorded_wanted(account: ProviderAccount) -> bool:
    return is_wanted(team_id=account.team_id, type=EventType.CALL_RECORDED)


def recorded_before(account: ProviderAccount, records: Sequence[CallRecord]) -> set[tuple[str, str]]:
    """(source, provider id) of the recorded calls among ``records`` that were stored with their recording already."""
    ids = [r.provider_id for r in records if r.has_recording]
    if not ids:
        return set()
    known = CallRecord.objects.filter(account=account, has_recording=True, provider_id__in=ids)
    return set(known.values_list("source", "provider_id"))


def calls_recorded_emit(*, account: ProviderAccount, records: Sequence[CallRecord], known: set[tuple[str, str]]) -> int:
    """An event for each call of ``records`` that has a recording it did not have when last stored."""
    new = {(r.source, r.provider_id) for r in records if r.has_recording} - known
    if not new:
        return 0
    stored = CallRecord.objects.filter(account=account, provider_id__in=[p for _s, p in new]).order_by("start", "id")
    items = [
        {
            "call": call.pk,
            "source": call.source,
            "start": call.start,
            "duration": call.duration,
            "caller": call.caller,
            "callee": call.callee,
            "direction": call.direction,
            "disposition": call.disposition,
            "account": account.pk,
        }
        for call in stored
        if (call.source, call.provider_id) in new
    ]
    return emit_many(team_id=account.team_id, type=EventType.CALL_RECORDED, items=items)
