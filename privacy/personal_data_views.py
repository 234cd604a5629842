"""Personal-data requests (KVKK): find, export and erase what the team holds about one phone number.

The number travels in POST bodies only, never in a URL (so it is in no access log or browser history).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts.access import TeamView
from accounts.audit import audit_record
from core import phones

from .archive import archive_write
from .erasure import ErasureBlocked, ErasureIncomplete, number_hash, personal_data_erase
from .findings import Findings, personal_data_find
from .forms import ErasureForm, NumberForm

LIST_MAX = 50  # rows shown per kind; the archive holds them all
KIND_LABELS = {
    "calls": gettext_lazy("calls"),
    "sms_recipients": gettext_lazy("SMS recipients"),
    "contacts": gettext_lazy("contacts"),
    "opt_outs": gettext_lazy("opt-outs"),
    "faxes": gettext_lazy("faxes"),
    "exports": gettext_lazy("background exports"),
}


def _findings_context(findings: Findings) -> dict[str, Any]:
    return {
        "findings": findings,
        "number_shown": phones.display(findings.e164),
        "counts": findings.counts(),
        "calls": findings.calls[:LIST_MAX],
        "sms_recipients": findings.sms_recipients[:LIST_MAX],
        "contacts": findings.contacts[:LIST_MAX],
        "opt_outs": findings.opt_outs[:LIST_MAX],
        "faxes": findings.faxes[:LIST_MAX],
        "list_max": LIST_MAX,
        "held": findings.held(),
    }


def _request_page(request: HttpRequest, form: NumberForm, findings: Findings | None = None) -> HttpResponse:
    context: dict[str, Any] = {"form": form}
    if findings is not None:
        context.update(_findings_context(findings))
    return render(request, "privacy/personal_data.html", context)


class PersonalDataView(TeamView, View):
    permission = "handle_personal_data"

    def get(self, request: HttpRequest) -> HttpResponse:
        return _request_page(request, NumberForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NumberForm(request.POST)
        if not form.is_valid():
            return _request_page(request, form)
        return _request_page(request, form, personal_data_find(team=self.team, e164=form.cleaned_data["number"]))


class PersonalDataExportView(TeamView, View):
    permission = "handle_personal_data"

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("privacy-request")

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = NumberForm(request.POST)
        if not form.is_valid():
            return _request_page(request, form)
        e164 = form.cleaned_data["number"]
        findings = personal_data_find(team=self.team, e164=e164)
        if findings.empty:
            return _request_page(request, form, findings)
        archive = archive_write(findings)
        data: dict[str, Any] = {"number": phones.masked(e164), "number_hash": number_hash(e164), **findings.counts()}
        audit_record(team=self.team, actor=self.user, action="personal_data.export", request=request, **data)
        name = f"kisisel-veri-{number_hash(e164)[:8]}.zip"
        return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")


class PersonalDataEraseView(TeamView, View):
    """Step one shows what will go and asks for the number again; step two erases."""

    permission = "handle_personal_data"

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("privacy-request")

    def _confirmation(self, request: HttpRequest, form: ErasureForm, e164: str) -> HttpResponse:
        findings = personal_data_find(team=self.team, e164=e164)
        context = {"form": form, **_findings_context(findings)}
        return render(request, "privacy/personal_data_erase.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        if "confirm" not in request.POST:
            asked = NumberForm(request.POST)
            if not asked.is_valid():
                return _request_page(request, asked)
            e164 = asked.cleaned_data["number"]
            if personal_data_find(team=self.team, e164=e164).empty:
                return _request_page(request, asked, personal_data_find(team=self.team, e164=e164))
            return self._confirmation(request, ErasureForm(initial={"number": request.POST["number"]}), e164)
        form = ErasureForm(request.POST)
        if not form.is_valid():
            number = form.cleaned_data.get("number")
            if not number:
                return _request_page(request, NumberForm(request.POST))
            return self._confirmation(request, form, number)
        e164 = form.cleaned_data["number"]
        try:
            outcome = personal_data_erase(team=self.team, e164=e164, actor=self.user, request=request)
        except ErasureBlocked:
            messages.error(request, _("Nothing was erased: some items are under legal hold (listed below)."))
            return self._confirmation(request, form, e164)
        except ErasureIncomplete as stop:
            messages.error(
                request,
                _(
                    "The erasure stopped at %(kind)s: what was erased before stays erased, nothing of %(kind)s was "
                    "changed. Erase again to complete it."
                )
                % {"kind": KIND_LABELS.get(stop.stopped_at, stop.stopped_at)},
            )
            return self._confirmation(request, form, e164)
        counts = outcome.counts
        messages.success(
            request,
            _(
                "Erased: %(calls)s calls (%(recordings)s recordings), %(recipients)s SMS recipients, %(contacts)s "
                "contacts, %(opt_outs)s opt-outs, %(faxes)s faxes. The audit log keeps the counts, not the number."
            )
            % {
                "calls": counts.get("calls", 0),
                "recordings": counts.get("recordings", 0),
                "recipients": counts.get("sms_recipients", 0),
                "contacts": counts.get("contacts", 0),
                "opt_outs": counts.get("opt_outs", 0),
                "faxes": counts.get("faxes", 0),
            },
        )
        if counts.get("exports"):
            messages.info(
                request,
                ngettext(
                    "%(exports)d background export of the team was withdrawn with its file: it may have held the "
                    "number. Export the list again if it is needed.",
                    "%(exports)d background exports of the team were withdrawn with their files: they may have held "
                    "the number. Export the lists again if they are needed.",
                    counts["exports"],
                )
                % {"exports": counts["exports"]},
            )
        return redirect("privacy-request")
