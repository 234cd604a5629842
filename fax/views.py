"""Fax pages: list and export, compose → preview → confirm, detail, documents, retry, cancel, resend."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core import signing
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from accounts.access import TeamView
from accounts.audit import audit_record
from accounts.provider_options import fax_options
from core.export_kinds import background_redirect, job_params, too_large_to_stream
from core.exports import EXPORT_PARAMS, ExportingPage, export_response, requested_format
from core.lists import paginate_table
from notifications.models import Kind, Notification
from notifications.services import notifications_mark_read
from providers.files import JPEG, PDF, PNG, TIFF

from . import documents as docs
from . import exports as fax_exports
from .filters import FaxFilter
from .forms import ComposeForm, FaxScheduleForm, account_numbers, fax_accounts
from .gateways import CAPABILITIES
from .models import Direction, Fax, FaxDocument, FaxDraft, FaxInboxPoll, Quality, Status
from .services import FaxActionError, actions, downloads, drafts, scheduled, storage
from .tables import FaxTable

FAX_KINDS = (Kind.RECEIVED_FAX, Kind.FAX_STUCK)


class FaxListView(TeamView, ExportingPage):
    template_name = "fax/list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.filter = FaxFilter(request.GET or None, queryset=self.faxes(), team=self.team)
        if file_format := requested_format(request.GET):
            return self.export(self.filter.qs, file_format)
        return self.render_to_response(self.get_context_data(**kwargs))

    def faxes(self) -> QuerySet[Fax]:
        return self.team_queryset(Fax).select_related("account")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        table = FaxTable(self.filter.qs)
        paginate_table(self.request, table, per_page=50)
        query = self.request.GET.copy()
        for key in ("page", *EXPORT_PARAMS):
            query.pop(key, None)
        context.update(
            filter=self.filter,
            table=table,
            export_query=query.urlencode(),
            notifications=Notification.objects.unread().filter(team=self.team, kind__in=FAX_KINDS)[:10],
            can_send=self.can("send"),
            inbox_skips=self.inbox_skips() if self.can("manage_faxes") else [],
        )
        return context

    def inbox_skips(self) -> list[FaxInboxPoll]:
        """The team's accounts whose last inbox poll had to skip received faxes (poison provider records)."""
        polls = FaxInboxPoll.objects.filter(account__team=self.team).select_related("account")
        return [poll for poll in polls if poll.skipped]

    def export(self, faxes: QuerySet[Fax], file_format: str) -> HttpResponseBase:
        if too_large_to_stream(faxes):
            return background_redirect(fax_exports.FAXES.name, file_format, job_params(self.request.GET))
        return export_response(
            file_format=file_format,
            filename=f"faxes-{timezone.localdate():%Y%m%d}",
            headers=fax_exports.fax_headers(),
            rows=fax_exports.fax_rows(faxes),
            sheet_name=_("Faxes"),
        )


class NotificationsReadView(TeamView, View):
    permission = "view"

    def post(self, request: HttpRequest) -> HttpResponse:
        notifications_mark_read(team=self.team, kinds=FAX_KINDS)
        return redirect("fax-list")


KEPT_SALT = "fax.compose.kept"
KEPT_MAX_AGE = 24 * 3600


class FaxComposeView(TeamView, TemplateView):
    permission = "send"
    template_name = "fax/compose.html"

    def kept(self) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, list[str]]]:
        """(initial, files kept server-side, provider errors) when editing a draft or a failed fax."""
        source = self.request.POST.get("draft") or self.request.GET.get("draft")
        if source:
            draft = self.get_team_object(source, FaxDraft)
            cover = draft.cover or {}
            initial = {
                "account": draft.account_id,
                "our_number": draft.our_number,
                "recipients": "\n".join("+" + n for n in draft.recipients),
                "quality": draft.quality,
                "scheduled_at": draft.scheduled_at,
                "cover": cover.get("template"),
                "cover_subject": cover.get("subject", ""),
                "cover_note": cover.get("note", ""),
            }
            return initial, draft.files, {}
        token = self.request.POST.get("kept")
        if token:
            return {}, self.unsigned_files(token), {}
        source = self.request.GET.get("from")
        if source:
            fax = self.get_team_object(source, Fax)
            files = [
                {
                    "path": d.file.name,
                    "filename": d.filename,
                    "media_type": d.media_type,
                    "size": d.size,
                    "pages": d.pages,
                }
                for d in fax.documents.all()
                if d.role == FaxDocument.Role.ORIGINAL
            ]
            initial = {
                "account": fax.account_id,
                "our_number": fax.our_number,
                "recipients": "+" + fax.remote_number,
                "quality": fax.quality,
            }
            return initial, files, fax.error_fields_display
        return {}, [], {}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial, files, errors = self.kept()
        accounts = fax_accounts(self.team)
        if not initial and accounts:
            first = accounts[0]
            initial = {
                "account": first.pk,
                "our_number": next(iter(account_numbers(first)), ""),
                "quality": _default_quality(first),
            }
        form = ComposeForm(initial=initial, team=self.team, kept_files=files, accounts=accounts)
        # The provider's own validation errors of the fax being edited, on the fields they concern.
        for field, problems in errors.items():
            target = field if field in form.fields else "__all__"
            form.errors.setdefault(target, form.error_class()).extend(problems)
        return self.page(form, draft_id=request.GET.get("draft", ""), keep_from=request.GET.get("from", ""))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _initial, files, _errors = self.kept()
        form = ComposeForm(request.POST, request.FILES, team=self.team, kept_files=files)
        if form.is_valid():
            data = form.cleaned_data
            try:
                draft = drafts.draft_create(
                    team=self.team,
                    actor=self.user,
                    account=data["account"],
                    our_number=data["our_number"],
                    recipients=data["recipients"],
                    quality=data["quality"],
                    scheduled_at=data.get("scheduled_at"),
                    uploads=form.uploads,
                    reuse_files=files if not form.uploads else (),
                    cover=form.cover_choice(from_name=self.user.get_full_name() or self.team.name),
                )
            except docs.DocumentError as exc:
                form.add_error("files", str(exc))
                form.uploads = []
            else:
                return redirect("fax-draft", pk=draft.pk)
        kept_token = request.POST.get("kept", "")
        if form.uploads and "files" not in form.errors:
            # The files were fine but another field was not: keep them here so nothing is uploaded twice.
            stored = [drafts.store_upload(upload) for upload in form.uploads]
            form.keep(stored)
            kept_token = signing.dumps({"team": self.team.pk, "files": stored}, salt=KEPT_SALT)
        return self.page(form, draft_id=request.POST.get("draft", ""), keep_from="", kept=kept_token)

    def unsigned_files(self, token: str) -> list[dict[str, Any]]:
        try:
            data = signing.loads(token, salt=KEPT_SALT, max_age=KEPT_MAX_AGE)
        except signing.BadSignature:
            return []
        return data["files"] if data.get("team") == self.team.pk else []

    def page(self, form: ComposeForm, *, draft_id: str, keep_from: str, kept: str = "") -> HttpResponse:
        capabilities = {a.pk: CAPABILITIES[a.kind] for a in form.accounts}
        context = {"form": form, "draft_id": draft_id, "keep_from": keep_from, "kept": kept}
        return render(self.request, self.template_name, {**context, "capabilities": capabilities})


def _default_quality(account: Any) -> str:
    wanted = fax_options(account).fax_quality
    return wanted if wanted in (Quality.FINE, Quality.NORMAL) else Quality.FINE


class FaxDraftView(TeamView, TemplateView):
    """The preview: what will be transmitted, page by page; confirming queues one fax per recipient."""

    permission = "send"
    team_model = FaxDraft
    template_name = "fax/preview.html"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["fax/_preview_body.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        draft = self.get_team_object()
        context = super().get_context_data(**kwargs)
        capabilities = CAPABILITIES[draft.account.kind]
        office = [f for f in draft.files if f["media_type"] in docs.OFFICE_TYPES]
        context.update(
            draft=draft,
            capabilities=capabilities,
            page_numbers=range(1, (draft.rendition.get("pages") or 0) + 1),
            office_files=office,
            rendition_kind="TIFF" if draft.rendition.get("media_type") == TIFF else "PDF",
            confirm_pages=drafts.needs_page_confirmation(draft),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        draft = self.get_team_object()
        try:
            faxes = drafts.draft_confirm(
                draft=draft,
                actor=self.user,
                request=request,
                pages_confirmed=request.POST.get("confirm_pages") == "1",
            )
        except FaxActionError as exc:
            messages.error(request, str(exc))
            return redirect("fax-draft", pk=draft.pk)
        if faxes and faxes[0].status == Status.SCHEDULED:
            text = ngettext(
                "%(n)d fax waits here until its time: until then its time can be changed or it can be cancelled.",
                "%(n)d faxes wait here until their time: until then their time can be changed or they can be "
                "cancelled.",
                len(faxes),
            )
        else:
            text = ngettext("%(n)d fax queued for sending.", "%(n)d faxes queued for sending.", len(faxes))
        messages.success(request, text % {"n": len(faxes)})
        if len(faxes) == 1:
            return redirect("fax-detail", pk=faxes[0].pk)
        return HttpResponseRedirect(reverse("fax-list") + "?direction=out")


class FaxDraftPageView(TeamView, View):
    permission = "send"
    team_model = FaxDraft

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        draft = self.get_team_object()
        if not draft.rendition:
            raise Http404
        content = storage.read_stored(draft.rendition["path"])
        return _thumbnail(content, draft.rendition["media_type"], request)


def _thumbnail(content: bytes, media_type: str, request: HttpRequest) -> HttpResponse:
    try:
        number = max(1, int(request.GET.get("n", "1")))
        width = min(1200, max(100, int(request.GET.get("w", "300"))))
        png = docs.thumbnail(content, media_type, page=number, width=width)
    except (ValueError, IndexError, EOFError):
        raise Http404 from None
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


class FaxDetailView(TeamView, TemplateView):
    team_model = Fax
    template_name = "fax/detail.html"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["fax/_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        fax = self.get_team_object()
        if fax.direction == Direction.INCOMING:
            notifications_mark_read(team=self.team, url=reverse("fax-detail", args=[fax.pk]))
        documents = list(fax.documents.all())
        shown = _shown_document(documents)
        capabilities = CAPABILITIES.get(fax.account.kind) if fax.account else None
        context = super().get_context_data(**kwargs)
        context.update(
            fax=fax,
            originals=[d for d in documents if d.role == FaxDocument.Role.ORIGINAL],
            transmitted=[d for d in documents if d.role == FaxDocument.Role.TRANSMITTED],
            received=[d for d in documents if d.role == FaxDocument.Role.RECEIVED],
            shown=shown,
            page_numbers=range(1, (shown.pages or 0) + 1) if shown and shown.media_type in (PDF, TIFF) else [],
            events=fax.events.select_related("actor"),
            capabilities=capabilities,
            can_fetch_transmitted=bool(
                capabilities and capabilities.download and fax.provider_id and fax.direction == Direction.OUTGOING
            ),
            can_retry=self.can("manage_faxes") and actions.can_retry(fax),
            can_cancel=self.can("manage_faxes") and actions.can_cancel(fax),
            can_resend=self.can("send") and fax.direction == Direction.OUTGOING and fax.account is not None,
            can_edit=self.can("send") and bool(fax.error_fields),
            can_move=self.can("send") and fax.status == Status.SCHEDULED,
        )
        return context


def _shown_document(documents: list[FaxDocument]) -> FaxDocument | None:
    for role in (FaxDocument.Role.RECEIVED, FaxDocument.Role.TRANSMITTED, FaxDocument.Role.ORIGINAL):
        for document in documents:
            if document.role == role and document.media_type in (PDF, TIFF, PNG, JPEG):
                return document
    return None


class FaxPageView(TeamView, View):
    """A page thumbnail of the fax's main document (received, transmitted or original)."""

    team_model = Fax

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fax = self.get_team_object()
        shown = _shown_document(list(fax.documents.all()))
        if shown is None or not shown.file.name:
            return HttpResponse(status=204)
        return _thumbnail(storage.read_document(shown), shown.media_type, request)


class FaxDocumentView(TeamView, View):
    """Downloads a document: ``?role=original|transmitted|received&n=<position>``; ``&as=pdf`` turns a TIFF into PDF."""

    team_model = Fax

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        fax = self.get_team_object()
        role = request.GET.get("role", "")
        documents = [d for d in fax.documents.all() if not role or d.role == role]
        fetchers: dict[tuple[str, str], Callable[..., FaxDocument]] = {
            (FaxDocument.Role.TRANSMITTED, Direction.OUTGOING): downloads.fetch_sent_document,
            (FaxDocument.Role.RECEIVED, Direction.INCOMING): downloads.fetch_received_document,
        }
        fetch = fetchers.get((role, fax.direction))
        if fetch is not None and not documents:
            try:
                documents = [fetch(fax=fax)]
            except FaxActionError as exc:
                messages.error(request, str(exc))
                return redirect("fax-detail", pk=fax.pk)
        try:
            document = documents[int(request.GET.get("n", "0"))]
        except (IndexError, ValueError):
            messages.error(request, _("This fax has no such document."))
            return redirect("fax-detail", pk=fax.pk)
        as_pdf = request.GET.get("as") == "pdf" and document.media_type == TIFF
        if as_pdf:
            try:
                content = docs.tiff_as_pdf(storage.read_document(document))
            except docs.DocumentError as exc:
                messages.error(request, str(exc))
                return redirect("fax-detail", pk=fax.pk)
        audit_record(
            team=self.team,
            actor=self.user,
            action="fax.download",
            target=fax,
            request=request,
            role=document.role,
        )
        if as_pdf:
            return FileResponse(
                io.BytesIO(content),
                as_attachment=True,
                filename=storage.document_filename(document, media_type=PDF),
                content_type=PDF,
            )
        return storage.document_response(document, range_header=request.headers.get("Range"))


class _FaxActionView(TeamView, View):
    team_model = Fax
    action = ""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fax = self.get_team_object()
        try:
            target = self.act(fax)
        except FaxActionError as exc:
            messages.error(request, str(exc))
            return redirect("fax-detail", pk=fax.pk)
        return redirect("fax-detail", pk=target.pk)

    def act(self, fax: Fax) -> Fax:
        raise NotImplementedError


class FaxRetryView(_FaxActionView):
    permission = "manage_faxes"

    def act(self, fax: Fax) -> Fax:
        actions.fax_retry(fax=fax, actor=self.user, request=self.request)
        messages.success(self.request, _("Retry asked."))
        return fax


class FaxCancelView(_FaxActionView):
    permission = "manage_faxes"

    def act(self, fax: Fax) -> Fax:
        actions.fax_cancel(fax=fax, actor=self.user, request=self.request)
        messages.success(self.request, _("Cancel asked."))
        return fax


class FaxScheduleView(TeamView, TemplateView):
    """A held fax's send time, moved until the worker hands it to the provider (cancel: the fax page's button)."""

    permission = "send"
    team_model = Fax
    template_name = "fax/schedule.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fax = self.get_team_object()
        if fax.status != Status.SCHEDULED:
            messages.error(request, scheduled.already_claimed())
            return redirect("fax-detail", pk=fax.pk)
        when = timezone.localtime(fax.scheduled_at, self.team.tzinfo).replace(tzinfo=None) if fax.scheduled_at else None
        return self.show(fax, FaxScheduleForm(initial={"scheduled_at": when}))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fax = self.get_team_object()
        form = FaxScheduleForm(request.POST)
        if not form.is_valid():
            return self.show(fax, form, status=400)
        try:
            scheduled.fax_scheduled_move(
                fax=fax, actor=self.user, scheduled_at=form.cleaned_data["scheduled_at"], request=request
            )
        except FaxActionError as exc:
            messages.error(request, str(exc))
            return redirect("fax-detail", pk=fax.pk)
        messages.success(request, _("The send time is changed."))
        return redirect("fax-detail", pk=fax.pk)

    def show(self, fax: Fax, form: FaxScheduleForm, status: int = 200) -> HttpResponse:
        return self.render_to_response(self.get_context_data(fax=fax, form=form), status=status)


class FaxResendView(_FaxActionView):
    permission = "send"

    def act(self, fax: Fax) -> Fax:
        copy = actions.fax_resend(fax=fax, actor=self.user, request=self.request)
        messages.success(self.request, _("A new fax is queued with the same documents."))
        return copy
