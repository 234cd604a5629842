from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import TeamView
from core import exports
from core.export_kinds import background_redirect, too_large_to_stream
from core.lists import page_of

from . import export, export_kind, services
from .charts import day_chart
from .filters import DEFAULT_PRESET, CallFilter
from .forms import DisconnectForm
from .models import CallRecord, ImportWatermark, Source
from .numbers import display_number
from .ranges import recording_response
from .recording_access import call_in_limit, recording_check, recording_permitted
from .recording_listeners import listeners_of
from .selectors import calls_per_day, export_rows, keyset_page, parse_sort
from .status import PBX_STATE_TEXT
from .tables import CallTable, KeysetRows, duration_text
from .waveform import svg_path


def pager_labels(sort: str) -> tuple[str, str]:
    """What the pager's two links are called in this sort order: (towards the top, towards the bottom)."""
    if sort == "-start":
        return _("Newer"), _("Older")
    if sort == "start":
        return _("Older"), _("Newer")
    return _("Previous"), _("Next")


class CallFilterMixin(TeamView):
    permission = "view"

    def filter_data(self) -> QueryDict:
        data = self.request.GET.copy()
        if not any(data.get(key) for key in ("preset", "date_from", "date_to")):
            data["preset"] = DEFAULT_PRESET
        elif data.get("date_from") or data.get("date_to"):
            # Dates typed in apply whatever the period select said, so the select says "Custom dates".
            data["preset"] = "custom"
        return data

    def get_filter(self) -> CallFilter:
        queryset = self.team_queryset(CallRecord)
        return CallFilter(self.filter_data(), queryset=queryset, team=self.team)

    def filtered(self, call_filter: CallFilter) -> QuerySet[CallRecord]:
        return call_filter.qs if call_filter.is_valid() else CallRecord.objects.none()

    def filter_query(self, *drop: str) -> str:
        data = self.request.GET.copy()
        for key in ("after", "before", "_", *drop):
            data.pop(key, None)
        return data.urlencode()


class CallListView(CallFilterMixin, TemplateView):
    template_name = "telephony/call_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        call_filter = self.get_filter()
        sort = parse_sort(self.request.GET.get("sort"))
        page = keyset_page(
            self.filtered(call_filter),
            sort=sort,
            after=self.request.GET.get("after"),
            before=self.request.GET.get("before"),
        )
        # No request: the table only draws the page and its sortable headers; the keyset pager below is the only pager.
        table = CallTable(KeysetRows(page.rows), order_by=sort, playable=recording_check(self.membership))
        context.update(
            filter=call_filter,
            table=table,
            page=page,
            pager_labels=pager_labels(sort),
            import_skipped=self.import_skipped(),
            query=self.filter_query(),
            filter_query=self.filter_query("sort"),
            can_listen=self.can("listen_recordings"),
        )
        return context

    def import_skipped(self) -> list[Mapping[str, object]]:
        """For those who manage provider accounts: imports whose last run had to skip records."""
        if not self.can("manage_providers"):
            return []
        marks = ImportWatermark.objects.filter(account__team=self.team, last_skipped__gt=0).order_by("account__label")
        return list(marks.values("account__label", "source", "last_run_at", "last_skipped", "skipped_records"))


class CallChartView(CallFilterMixin, TemplateView):
    template_name = "telephony/_chart.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        call_filter = self.get_filter()
        days = calls_per_day(self.filtered(call_filter), timezone.get_current_timezone())
        context["chart"] = day_chart(days)
        return context


class CallExportView(CallFilterMixin, View):
    def get(self, request: HttpRequest) -> HttpResponseBase:
        call_filter = self.get_filter()
        if not call_filter.is_valid():
            messages.error(request, _("Fix the filters before exporting."))
            return redirect(f"{reverse('calls-list')}?{self.filter_query(*exports.EXPORT_PARAMS)}")
        file_format = exports.requested_format(request.GET, default="csv")
        calls = self.filtered(call_filter)
        if too_large_to_stream(calls):  # audited when its confirmation's Start records the job, if it does
            fixed = export_kind.fixed_filters(call_filter, self.filter_data())
            return background_redirect(export_kind.CALLS.name, file_format, fixed)
        filters = {k: v for k, v in request.GET.items() if k not in (*exports.EXPORT_PARAMS, "after", "before")}
        services.calls_exported(team=self.team, actor=self.user, request=request, file_format=file_format,
                                filters=filters)  # fmt: skip
        return exports.export_response(
            file_format=file_format,
            filename=f"calls-{timezone.localtime():%Y%m%d-%H%M}",
            headers=export.headers(),
            rows=export.labelled_rows(export_rows(calls)),
            sheet_name=_("Calls"),
        )


class CallDetailView(TeamView, TemplateView):
    permission = "view"
    team_model = CallRecord
    template_name = "telephony/call_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        call = self.get_team_object()
        context.update(
            call=call,
            caller=display_number(call.caller),
            callee=display_number(call.callee),
            duration=duration_text(call.duration),
            billed=duration_text(call.billed_seconds),
            raw_items=sorted(call.raw.items()),
            can_listen=recording_permitted(self.membership, call),
            can_download=recording_permitted(self.membership, call, "download_recordings"),
            **waveform_context(call),
        )
        if call.has_recording and self.can("view_audit"):
            context["listeners"] = page_of(self.request, listeners_of(call), per_page=20)
        return context


class RecordingView(TeamView, View):
    """Serves the stored recording with Range support; fetches it from the provider the first time.

    ``listen_recordings`` to play, ``download_recordings`` as well for ``?download=1`` (403 without);
    a member limited to some numbers gets a 404 for any other call's recording (recording_access).
    """

    permission = "listen_recordings"
    team_model = CallRecord

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        call = self.get_team_object()
        if not call.has_recording or not call_in_limit(self.membership, call):
            raise Http404
        download = request.GET.get("download") == "1"
        if download and not self.can("download_recordings"):
            raise PermissionDenied
        try:
            call = services.recording_fetch(call=call)
        except services.RecordingUnavailable as exc:
            return render(
                request, "telephony/recording_unavailable.html", {"call": call, "message": exc.message},
                status=410 if exc.gone else 502,
            )  # fmt: skip
        range_header = request.headers.get("Range")
        # One audit event per play (the first request of a player) or download, not per seek.
        if download or not range_header or range_header.strip() == "bytes=0-":
            services.recording_accessed(call=call, actor=self.user, request=request, download=download)
        return recording_response(call, range_header=range_header, attachment=download)


def waveform_context(call: CallRecord) -> dict[str, Any]:
    peaks = call.recording_peaks
    return {
        "peaks": peaks,
        "wave_path": svg_path(peaks) if peaks else "",
        "duration_seconds": call.duration,
    }


class CallWaveformView(TeamView, TemplateView):
    """The waveform of a recording not stored yet (the call page asks for it once loaded): storing the
    recording computes it. A page never waits on the provider; this fragment may."""

    permission = "listen_recordings"
    team_model = CallRecord
    template_name = "telephony/_waveform.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        call = self.get_team_object()
        if not call.has_recording or not call_in_limit(self.membership, call):
            raise Http404
        try:
            call = services.recording_fetch(call=call)
        except services.RecordingUnavailable:
            call.recording_peaks = []  # the player says why when played; no waveform, no second try here
        context.update(call=call, **waveform_context(call))
        return context


class LiveCallsView(TeamView, TemplateView):
    permission = "view"
    permissions_by_method = {"POST": "disconnect_calls"}
    template_name = "telephony/live.html"
    fragment_template = "telephony/_live.html"

    def get_template_names(self) -> list[str]:
        return [self.fragment_template if self.request.GET.get("fragment") else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        statuses = services.live_calls_status(team=self.team)
        context.update(
            statuses=statuses,
            can_disconnect=self.can("disconnect_calls"),
            now=timezone.now(),
            any_stale=any(s.stale for s in statuses),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DisconnectForm(request.POST, team=self.team)
        if not form.is_valid():
            messages.error(request, _("Choose a live call to disconnect."))
            return redirect("calls-live")
        result = services.call_disconnect(
            account=form.cleaned_data["account"], call_id=form.cleaned_data["call_id"], actor=self.user,
            request=request,
        )  # fmt: skip
        (messages.success if result.ok else messages.warning)(request, result.message)
        return redirect("calls-live")


class PbxView(TeamView, TemplateView):
    permission = "view"
    template_name = "telephony/pbx.html"
    fragment_template = "telephony/_pbx.html"

    def get_template_names(self) -> list[str]:
        return [self.fragment_template if self.request.GET.get("fragment") else self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        statuses = services.pbx_status(team=self.team)
        context.update(statuses=statuses, now=timezone.now(), pbx_ok=PBX_STATE_TEXT[200], source_pbx=Source.PBX)
        return context
