"""Starting a background export, its progress page and its download: one set of pages for every list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import ContextMixin, TemplateResponseMixin

from accounts.access import TeamView
from core import exports
from core.export_kinds import ExportKind, export_kind, job_params
from core.stored_files import stored_file_response

from . import services
from .forms import ExportStartForm
from .models import ExportJob, ExportState


def _permitted_kind(view: TeamView, name: str) -> ExportKind:
    """The kind named, if the member's role may read its list (403 otherwise, as the list itself answers)."""
    kind = export_kind(name)
    if kind is None:
        raise Http404
    if not view.can(kind.permission):
        raise PermissionDenied
    return kind


class ExportStartView(TeamView, TemplateResponseMixin, ContextMixin, View):
    """A list's background export (the list redirects here when it is too large to stream): the GET says what
    will be exported and offers the format and a Start button, the POST starts it and goes to its progress.

    A GET never starts one: an image on another site, a reload or a link prefetch would start exports in the
    member's name. The filters stay in the address (the form posts back to it); the POST is CSRF-checked as
    every form is. The role the list itself asks for is checked here again, for both (``permission`` is the
    least any list asks; the kind's own is checked once the kind is known), and the rows are the team's own:
    the kind starts from the team (a batch of another team is a 404)."""

    permission = "view"
    template_name = "exportjobs/start.html"

    def get(self, request: HttpRequest, export: str) -> HttpResponseBase:
        asked = exports.requested_format(request.GET, default="csv")
        return self.answer(export, ExportStartForm(initial={"file_format": asked}))

    def post(self, request: HttpRequest, export: str) -> HttpResponseBase:
        return self.answer(export, ExportStartForm(request.POST))

    def answer(self, export: str, form: ExportStartForm) -> HttpResponseBase:
        kind = _permitted_kind(self, export)
        filters = job_params(self.request.GET)
        queryset = kind.queryset(self.team, filters)
        if queryset is None:
            messages.error(self.request, _("Fix the filters before exporting."))
            return redirect(kind.back_url(filters))
        if form.is_bound and form.is_valid():
            job = services.export_job_start(
                team=self.team, actor=self.user, kind=kind, file_format=form.cleaned_data["file_format"],
                filters=filters, request=self.request,
            )  # fmt: skip
            return redirect("export-job", pk=job.pk)
        context = self.get_context_data(
            kind=kind, form=form, words=kind.described(self.team, filters),
            estimate=services.estimated_rows(queryset), back_url=kind.back_url(filters),
        )  # fmt: skip
        return self.render_to_response(context, status=400 if form.is_bound else 200)


class ExportJobMixin(TeamView):
    """A job of the team (another team's is a 404), seen by those the job's list lets in."""

    permission = "view"  # the least any list asks; the job's own list's role is checked in get_job()
    team_model = ExportJob

    def get_job(self) -> tuple[ExportJob, ExportKind]:
        job: ExportJob = self.get_team_object()
        return job, _permitted_kind(self, job.kind)


class ExportJobView(ExportJobMixin, TemplateView):
    """A background export's progress (the bar polls ``?part=progress``), then its download link."""

    template_name = "exportjobs/job.html"

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("part") == "progress":
            return ["exportjobs/_job.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job, kind = self.get_job()
        done = services.rows_done(job)
        context.update(
            job=job,
            kind=kind,
            back_url=kind.back_url(job.filters),
            rows_done=done,
            rows_total=max(job.rows_total, done),  # the planner's estimate may fall short of the rows written
            percent=services.percent(job),
            expired=job.expired(),
        )
        return context


class ExportDownloadView(ExportJobMixin, View):
    """The stored file of a finished export of the team, until it expires (then 404, as for another team's)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        job, _kind = self.get_job()
        if job.state != ExportState.DONE or not job.file or job.expired():
            raise Http404
        return stored_file_response(
            job.file,
            range_header=request.headers.get("Range"),
            content_type=exports.CONTENT_TYPES[job.file_format],
            filename=f"{job.filename}.{job.file_format}",
            fallback_name=f"export.{job.file_format}",
            attachment=True,
        )
