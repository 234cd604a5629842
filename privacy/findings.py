"""Everything a team holds about one phone number, whatever form each app stored it in.

Calls keep what the provider wrote (usually E.164, sometimes ``0532…`` or ``90532…``), SMS recipients,
contacts and opt-outs E.164, faxes international digits without ``+`` (a received fax: what the provider
wrote). A stored text matches when its digits are one of ``phones.stored_digit_forms`` of the number; the
database first narrows the rows to those ending in the number's last digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core import phones
from exportjobs.models import ExportJob
from fax.models import Fax
from messaging.models import Contact, OptOut, SmsRecipient
from telephony.models import CallRecord

ERASED = "***"  # what an erased number becomes: counts and sums still add up, nobody can be called back


def matching_ids(queryset: QuerySet[Any], column: str, forms: frozenset[str], suffix: str) -> set[int]:
    rows = queryset.filter(**{f"{column}__endswith": suffix}).values_list("pk", column)
    return {pk for pk, value in rows.iterator() if value and phones.digits_only(value) in forms}


@dataclass(frozen=True)
class HeldItem:
    label: str
    url: str


@dataclass
class Findings:
    """The ids of every item of the team that involves the number, per kind."""

    team: Team
    e164: str
    call_ids: set[int] = field(default_factory=set)
    caller_ids: set[int] = field(default_factory=set)  # calls where it is the caller (may also be the callee)
    callee_ids: set[int] = field(default_factory=set)
    recipient_ids: set[int] = field(default_factory=set)
    contact_ids: set[int] = field(default_factory=set)
    opt_out_ids: set[int] = field(default_factory=set)
    fax_ids: set[int] = field(default_factory=set)
    # The team's background exports, when the number is in its data at all: any of them may hold it.
    export_ids: set[int] = field(default_factory=set)

    @property
    def calls(self) -> QuerySet[CallRecord]:
        return CallRecord.objects.filter(team=self.team, pk__in=self.call_ids).order_by("-start", "-pk")

    @property
    def recordings(self) -> QuerySet[CallRecord]:
        return self.calls.filter(has_recording=True)

    @property
    def sms_recipients(self) -> QuerySet[SmsRecipient]:
        return (
            SmsRecipient.objects.filter(batch__team=self.team, pk__in=self.recipient_ids)
            .select_related("batch")
            .order_by("-batch__created_at", "-pk")
        )

    @property
    def contacts(self) -> QuerySet[Contact]:
        return Contact.objects.filter(team=self.team, pk__in=self.contact_ids).prefetch_related("groups")

    @property
    def opt_outs(self) -> QuerySet[OptOut]:
        return OptOut.objects.filter(team=self.team, pk__in=self.opt_out_ids)

    @property
    def faxes(self) -> QuerySet[Fax]:
        return Fax.objects.filter(team=self.team, pk__in=self.fax_ids).prefetch_related("documents")

    def counts(self) -> dict[str, int]:
        return {
            "calls": len(self.call_ids),
            "recordings": self.recordings.count(),
            "sms_recipients": len(self.recipient_ids),
            "contacts": len(self.contact_ids),
            "opt_outs": len(self.opt_out_ids),
            "faxes": len(self.fax_ids),
            "exports": len(self.export_ids),
        }

    @property
    def empty(self) -> bool:
        return not any((self.call_ids, self.recipient_ids, self.contact_ids, self.opt_out_ids, self.fax_ids))

    def held(self) -> list[HeldItem]:
        """The items under legal hold: an erasure is refused while there is one."""
        items: list[HeldItem] = []
        for call in self.calls.filter(legal_hold=True):
            items.append(HeldItem(_held_label(_("Call"), call), reverse("calls-detail", args=[call.pk])))
        batches = {r.batch for r in self.sms_recipients.filter(batch__legal_hold=True)}
        for batch in sorted(batches, key=lambda b: b.pk):
            items.append(HeldItem(_held_label(_("SMS batch"), batch), reverse("sms-detail", args=[batch.pk])))
        for fax in self.faxes.filter(legal_hold=True):
            items.append(HeldItem(_held_label(_("Fax"), fax), reverse("fax-detail", args=[fax.pk])))
        return items


def _held_label(kind: Any, item: Model) -> str:
    return f"{kind} #{item.pk} — {getattr(item, 'legal_hold_reason', '')}"


def personal_data_find(*, team: Team, e164: str) -> Findings:
    forms = phones.stored_digit_forms(e164)
    suffix = phones.digits_only(e164)[-2:]  # "0532 123 45 67" still ends with them
    calls = CallRecord.objects.filter(team=team)
    findings = Findings(team=team, e164=e164)
    findings.caller_ids = matching_ids(calls, "caller", forms, suffix)
    findings.callee_ids = matching_ids(calls, "callee", forms, suffix)
    findings.call_ids = findings.caller_ids | findings.callee_ids
    findings.recipient_ids = matching_ids(SmsRecipient.objects.filter(batch__team=team), "phone", forms, suffix)
    findings.contact_ids = matching_ids(Contact.objects.filter(team=team), "phone", forms, suffix)
    findings.opt_out_ids = matching_ids(OptOut.objects.filter(team=team), "phone", forms, suffix)
    findings.fax_ids = matching_ids(Fax.objects.filter(team=team), "remote_number", forms, suffix)
    if not findings.empty:
        findings.export_ids = set(ExportJob.objects.filter(team=team).values_list("pk", flat=True))
    return findings
