"""Erasing what a team holds about a phone number: kind by kind, each in its own transaction.

- calls: the number becomes ``***`` (caller or callee), the provider's raw record is emptied and the
  recording deleted; time, duration, result and cost stay, so the call statistics still add up;
- SMS recipients: number, name and personalised text are blanked; state and cost stay (batch counts);
- contacts and opt-outs: deleted (an erased number may receive SMS again if someone types it anew);
- faxes: the remote number becomes ``***``, the raw record is emptied and the documents deleted;
- background exports of the team: withdrawn, file and all (any of them may hold the number; the lists can
  be exported again, without it).

A failure in one kind rolls that kind back whole and stops; the kinds before it stay erased. Files go
after their kind's commit (``privacy/files.py``). Running the erasure again finds only what is left and
completes it. Items under legal hold block the whole erasure. The audit event keeps the counts, the
number masked and a keyed hash (to answer "was this number erased?"), never the number in clear.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from accounts.audit import audit_record
from accounts.models import Team, User
from core import phones
from exportjobs.models import ExportJob
from fax.models import Fax, FaxDocument
from messaging.models import Contact, OptOut, SmsRecipient
from telephony.models import CallRecord

from .files import files_delete_pending, files_forget
from .findings import ERASED, Findings, HeldItem, personal_data_find

log = logging.getLogger(__name__)


class ErasureBlocked(Exception):
    def __init__(self, held: list[HeldItem]) -> None:
        super().__init__("items under legal hold")
        self.held = held


class ErasureIncomplete(Exception):
    def __init__(self, stopped_at: str, counts: dict[str, int]) -> None:
        super().__init__(f"erasure stopped at {stopped_at}")
        self.stopped_at = stopped_at
        self.counts = counts


def number_hash(e164: str) -> str:
    """A keyed hash of the number (SECRET_KEY): the same number gives the same hash, the hash gives no number."""
    return salted_hmac("privacy.personal_data", e164, algorithm="sha256").hexdigest()


def _erase_calls(found: Findings) -> dict[str, int]:
    calls = CallRecord.objects.select_for_update().filter(pk__in=found.call_ids, legal_hold=False)
    ids = list(calls.values_list("pk", flat=True))
    rows = CallRecord.objects.filter(pk__in=ids)
    recordings = rows.filter(has_recording=True).count()
    files_forget(rows.exclude(recording="").values_list("recording", flat=True))
    rows.filter(pk__in=found.caller_ids).update(caller=ERASED)
    rows.filter(pk__in=found.callee_ids).update(callee=ERASED)
    rows.update(
        raw={}, has_recording=False, recording="", recording_name="", recording_missing=False, recording_peaks=None
    )
    return {"calls": len(ids), "recordings": recordings}


def _erase_sms_recipients(found: Findings) -> dict[str, int]:
    rows = SmsRecipient.objects.filter(pk__in=found.recipient_ids, batch__legal_hold=False)
    return {"sms_recipients": rows.update(phone=ERASED, name="", text="", status_text="")}


def _erase_contacts(found: Findings) -> dict[str, int]:
    deleted = Contact.objects.filter(pk__in=found.contact_ids).count()
    Contact.objects.filter(pk__in=found.contact_ids).delete()
    return {"contacts": deleted}


def _erase_opt_outs(found: Findings) -> dict[str, int]:
    deleted, _ = OptOut.objects.filter(pk__in=found.opt_out_ids).delete()
    return {"opt_outs": deleted}


def _erase_faxes(found: Findings) -> dict[str, int]:
    ids = list(
        Fax.objects.select_for_update().filter(pk__in=found.fax_ids, legal_hold=False).values_list("pk", flat=True)
    )
    documents = FaxDocument.objects.filter(fax_id__in=ids)
    files_forget(documents.values_list("file", flat=True))
    removed, _ = documents.delete()
    Fax.objects.filter(pk__in=ids).update(remote_number=ERASED, raw={})
    return {"faxes": len(ids), "fax_documents": removed}


def _withdraw_exports(found: Findings) -> dict[str, int]:
    jobs = ExportJob.objects.filter(pk__in=found.export_ids)
    files_forget(jobs.exclude(file="").values_list("file", flat=True))
    withdrawn, _ = jobs.delete()
    return {"exports": withdrawn}


# In the order they run; a test puts a failing one in to check that nothing is left half-done.
ERASERS: dict[str, Callable[[Findings], dict[str, int]]] = {
    "calls": _erase_calls,
    "sms_recipients": _erase_sms_recipients,
    "contacts": _erase_contacts,
    "opt_outs": _erase_opt_outs,
    "faxes": _erase_faxes,
    "exports": _withdraw_exports,
}


@dataclass
class ErasureOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0


def personal_data_erase(*, team: Team, e164: str, actor: User, request: HttpRequest | None = None) -> ErasureOutcome:
    """Erases or anonymises every item of ``team`` that involves the number; see the module's text."""
    files_delete_pending()  # an earlier erasure's, if it stopped between a commit and its files
    found = personal_data_find(team=team, e164=e164)
    held = found.held()
    if held:
        raise ErasureBlocked(held)
    outcome = ErasureOutcome()
    audit: dict[str, Any] = {"number": phones.masked(e164), "number_hash": number_hash(e164)}
    for kind, erase in ERASERS.items():
        try:
            with transaction.atomic():
                outcome.counts.update(erase(found))
        except Exception as exc:
            log.exception("erasure of %s stopped at %s", audit["number"], kind)
            stopped: dict[str, Any] = {**audit, **outcome.counts, "complete": False, "stopped_at": kind}
            audit_record(team=team, actor=actor, action="personal_data.erase", request=request, **stopped)
            raise ErasureIncomplete(kind, outcome.counts) from exc
        outcome.files += files_delete_pending()
    done: dict[str, Any] = {**audit, **outcome.counts, "files": outcome.files, "complete": True}
    audit_record(team=team, actor=actor, action="personal_data.erase", request=request, **done)
    return outcome
