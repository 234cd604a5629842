"""Received faxes: each stored once per team with its document, one unreadable record never blocking the rest."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, Max, QuerySet
from django.utils import timezone

from accounts.models import ProviderAccount
from accounts.provider_errors import describe_stored
from accounts.provider_options import fax_options
from accounts.stored_text import StoredText
from accounts.stored_text import stored as keyed
from providers.errors import ProviderError
from providers.records import SkippedRecord

from ..gateways import CAPABILITIES, GATEWAYS, Gateway, Incoming, gateway_for
from ..models import Direction, Fax, FaxDocument, FaxInboxPoll, Status
from ..notices import fax_received_notify
from ..signals import fax_document_received_send
from ..webhook_events import fax_received_emit
from . import storage
from .status import add_event, is_new_error, set_error

log = logging.getLogger(__name__)

INCOMING_LOOKBACK = timedelta(days=7)


def _max_length(name: str) -> int:
    field = Fax._meta.get_field(name)
    return (field.max_length or 0) if isinstance(field, CharField) else 0


PROVIDER_ID_MAX = _max_length("provider_id")
MISSING_DOCUMENT_TRIES = 20  # polls; after that a person can still fetch it from the fax's page
MISSING_DOCUMENT_BATCH = 10  # per poll, so a provider that never serves documents cannot slow every poll


def fax_fetch_incoming(*, account: ProviderAccount) -> int:
    """Stores the account's new received faxes (each once per team) with their documents; returns how many are new.

    Records are taken one by one: one the provider got wrong is logged and skipped, never
    blocking the ones after it. Received faxes still without their document are fetched again.
    """
    caps = CAPABILITIES[account.kind]
    if not caps.incoming_list:
        return 0
    if GATEWAYS[account.kind].poll_only_with_numbers and not fax_options(account).fax_numbers:
        return 0
    latest = account.faxes.filter(direction=Direction.INCOMING).aggregate(latest=Max("created_at"))["latest"]
    since = (latest - timedelta(days=1)) if latest else timezone.now() - INCOMING_LOOKBACK
    gateway = gateway_for(account)
    new = 0
    skipped: list[dict[str, str]] = []
    try:
        # Another account of the team with the same credentials sees the same inbox: its faxes are known too.
        known = set(received_of(account).exclude(provider_id="").values_list("provider_id", flat=True))
        for item in gateway.incoming(since=since, on_skip=lambda record: skipped.append(_unreadable(record))):
            if item.provider_id in known:
                continue
            known.add(item.provider_id)
            try:
                stored = _store_incoming(account, gateway, item)
            except Exception as exc:  # one poison record must not stop the inbox at it on every poll
                log.exception("fax inbox of account %s: record %r skipped", account.pk, item.provider_id[:100])
                skipped.append({"provider_id": str(item.provider_id)[:100], "error": type(exc).__name__})
                continue
            new += stored
        _fetch_missing_documents(account, gateway)
    finally:
        gateway.close()
    FaxInboxPoll.objects.update_or_create(
        account=account, defaults={"polled_at": timezone.now(), "skipped": skipped[: FaxInboxPoll.SKIPPED_KEPT]}
    )
    return new


def _unreadable(record: SkippedRecord) -> dict[str, str]:
    """A received fax the provider's client could not read, kept like one the database refused."""
    return {"provider_id": record.record_id or "?", "error": "unreadable", "reason": record.reason}


def received_of(account: ProviderAccount) -> QuerySet[Fax]:
    """The received faxes of the account's team from the account's provider (whichever account fetched them)."""
    return Fax.objects.filter(team_id=account.team_id, provider_kind=account.kind, direction=Direction.INCOMING)


def _store_incoming(account: ProviderAccount, gateway: Gateway[Any], item: Incoming) -> bool:
    if not item.provider_id or len(item.provider_id) > PROVIDER_ID_MAX:
        raise ValueError(f"a provider id of {len(item.provider_id)} characters cannot name a fax")
    try:
        with transaction.atomic():
            fax = Fax.objects.create(
                team=account.team,
                account=account,
                direction=Direction.INCOMING,
                status=Status.RECEIVED,
                provider_status=_fit(item.provider_status, "provider_status"),
                our_number=_fit(item.our_number, "our_number"),
                remote_number=_fit(item.remote_number, "remote_number"),
                pages=item.pages if isinstance(item.pages, int) and 0 <= item.pages < 2**31 else None,
                provider_id=item.provider_id,
                provider_kind=account.kind,
                provider_ref=item.ref,
                raw=_json_safe(
                    {
                        **item.raw,
                        "remote_number": item.remote_number,
                        "our_number": item.our_number,
                        "provider_status": item.provider_status,
                    }
                ),
                created_at=item.received_at or timezone.now(),
                completed_at=item.received_at or timezone.now(),
            )
    except IntegrityError:  # another worker (or another account of the team) stored it first
        return False
    add_event(fax, "received", Status.RECEIVED)
    fetch_received(fax, gateway)
    fax_received_notify(fax=fax)
    fax_received_emit(fax=fax)
    return True


def _fit(value: Any, field: str) -> str:
    """A provider's text cut to its column (the full value stays in ``raw``)."""
    return str(value or "")[: _max_length(field)]


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return result


def fetch_received(fax: Fax, gateway: Gateway[Any]) -> bool:
    """Fetches and keeps a received fax's document; on any failure the fax stays fetchable again."""
    try:
        storage.save_document(fax, FaxDocument.Role.RECEIVED, gateway.incoming_document(fax))
    except Exception as exc:  # the fax is known now: whatever went wrong, the next poll tries again
        message: StoredText | str
        if isinstance(exc, ProviderError):
            message = describe_stored(exc)
        else:
            log.exception("fax %s: the received document could not be stored", fax.pk)
            message = keyed("document_missing")
        tries = int(fax.provider_ref.get("document_tries") or 0) + 1
        fax.provider_ref = {**fax.provider_ref, "document_tries": tries}
        if is_new_error(fax, message):
            add_event(fax, "error", "", message)
        Fax.objects.filter(pk=fax.pk).update(provider_ref=fax.provider_ref, **set_error(fax, message))
        return False
    if fax.error or fax.error_stored:
        Fax.objects.filter(pk=fax.pk).update(**set_error(fax, ""))
    fax_document_received_send(fax=fax)
    return True


def missing_documents(account: ProviderAccount) -> QuerySet[Fax]:
    """Received faxes of this account stored without their document, still worth asking for."""
    return (
        account.faxes.filter(direction=Direction.INCOMING, created_at__gte=timezone.now() - INCOMING_LOOKBACK)
        .exclude(documents__role=FaxDocument.Role.RECEIVED)
        .exclude(provider_ref__document_tries__gte=MISSING_DOCUMENT_TRIES)
        .order_by("created_at")
    )


def _fetch_missing_documents(account: ProviderAccount, gateway: Gateway[Any]) -> int:
    fetched = 0
    for fax in missing_documents(account)[:MISSING_DOCUMENT_BATCH]:
        fetched += fetch_received(fax, gateway)
    return fetched
