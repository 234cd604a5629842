from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from accounts.access import TeamView
from accounts.models import Team
from accounts.provider_errors import describe
from core import exports
from core.export_kinds import background_redirect, job_params, too_large_to_stream
from core.lists import page_of, paginate_table
from providers.errors import ProviderError

from . import balance, encoding, uploads
from . import exports as batch_exports
from .filters import BatchFilter, ContactFilter, RecipientFilter
from .forms import (
    ComposeForm,
    ContactForm,
    ContactGroupForm,
    ContactImportForm,
    OptOutForm,
    ScheduledEditForm,
    SmsImportForm,
    SmsTemplateForm,
)
from .imports import FileError
from .models import Contact, ContactGroup, ContactImport, OptOut, SmsBatch, SmsChunk, SmsTemplate
from .recipients import render
from .services import actions, address_book, contact_import, history_import, limits, scheduled, send_queue
from .services.create import sms_batch_create
from .services.errors import SmsError
from .tables import BatchTable, ContactTable, RecipientTable

ALPHABET_LABELS = {
    encoding.DEFAULT: gettext_lazy("GSM default"),
    encoding.TURKISH: gettext_lazy("Turkish single shift"),
    encoding.UCS2: gettext_lazy("Unicode (UCS-2)"),
    encoding.FLASH: gettext_lazy("GSM default, flash"),
}


# --- batches -------------------------------------------------------------------------


class BatchListView(TeamView, exports.ExportingPage):
    """The team's batches; POST imports the ones sent outside the portal (query multi)."""

    template_name = "messaging/batch_list.html"
    permissions_by_method = {"POST": "send"}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = SmsImportForm(request.POST, team=self.team)
        if not form.is_valid():
            return self.get(request, import_form=form, status=400)
        data = form.cleaned_data
        try:
            count = history_import.sms_batches_import(
                account=data["account"],
                actor=self.user,
                start=data["start"],
                end=data["end"],
            )
        except ProviderError as exc:
            messages.error(request, describe(exc))
        except SmsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s batch imported from the provider.",
                    "%(count)s batches imported from the provider.",
                    count,
                )
                % {"count": count},
            )
        return redirect("sms-list")

    def get(
        self,
        request: HttpRequest,
        *args: Any,
        import_form: SmsImportForm | None = None,
        status: int = 200,
        **kwargs: Any,
    ) -> HttpResponseBase:
        batches = self.team.sms_batches.all()
        filterset = BatchFilter(request.GET or None, queryset=batches)
        if fmt := exports.requested_format(request.GET):
            if too_large_to_stream(filterset.qs):
                return background_redirect(batch_exports.SMS_BATCHES.name, fmt, job_params(request.GET))
            return exports.export_response(
                file_format=fmt,
                filename="sms-batches",
                headers=batch_exports.batch_headers(),
                rows=batch_exports.batch_rows(filterset.qs),
                sheet_name=_("SMS"),
            )
        table = BatchTable(filterset.qs)
        paginate_table(request, table, per_page=25)
        if import_form is None:
            today = timezone.localdate()
            import_form = SmsImportForm(team=self.team, initial={"start": today - timedelta(days=7), "end": today})
        context = self.get_context_data(
            filter=filterset, table=table, import_form=import_form, can_send=self.can("send")
        )
        return self.render_to_response(context, status=status)


def batch_progress(batch: SmsBatch) -> dict[str, Any]:
    recipients = dict(batch.recipients.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    chunks = dict(batch.chunks.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    total_chunks = sum(chunks.values())
    sent_chunks = chunks.get("submitted", 0)
    return {
        "recipients": recipients,
        "chunks": chunks,
        "total_chunks": total_chunks,
        "done_chunks": sent_chunks + chunks.get("failed", 0) + chunks.get("cancelled", 0),
        "sent_chunks": sent_chunks,
        "failed_chunks": chunks.get("failed", 0),
        "unknown_chunks": chunks.get("unknown", 0) + chunks.get("submitting", 0),
        "delivered": recipients.get("delivered", 0),
        "undelivered": recipients.get("undelivered", 0),
        "waiting": recipients.get("waiting", 0),
        "live": batch.state in (SmsBatch.State.STORING, SmsBatch.State.SENDING, SmsBatch.State.SUBMITTED),
        "stalled": send_queue.sms_batch_stalled(batch),
    }


class BatchDetailView(TeamView, exports.ExportingPage):
    template_name = "messaging/batch_detail.html"
    team_model = SmsBatch

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        batch = self.get_team_object()
        filterset = RecipientFilter(request.GET or None, queryset=batch.recipients.select_related("chunk"))
        if fmt := exports.requested_format(request.GET):
            if too_large_to_stream(filterset.qs):
                params = job_params(request.GET, **{batch_exports.BATCH_PARAM: str(batch.pk)})
                return background_redirect(batch_exports.SMS_RECIPIENTS.name, fmt, params)
            return exports.export_response(
                file_format=fmt,
                filename=f"sms-{batch.pk}",
                headers=batch_exports.recipient_headers(),
                rows=batch_exports.recipient_rows(filterset.qs),
                sheet_name=_("Recipients"),
            )
        table = RecipientTable(filterset.qs)
        paginate_table(request, table, per_page=50)
        return self.render_to_response(
            self.get_context_data(
                batch=batch,
                filter=filterset,
                table=table,
                progress=batch_progress(batch),
                problem_chunks=batch.chunks.exclude(state__in=(SmsChunk.State.SUBMITTED, SmsChunk.State.QUEUED)),
                alphabet_label=ALPHABET_LABELS.get(batch.alphabet, batch.alphabet),
                can_send=self.can("send"),
            )
        )


class BatchProgressView(TeamView, TemplateView):
    """The live part of the batch page, polled by htmx while the batch is running."""

    template_name = "messaging/_progress.html"
    team_model = SmsBatch

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = self.get_team_object()
        return self.render_to_response(
            {"batch": batch, "progress": batch_progress(batch), "can_send": self.can("send")}
        )


class BatchActionView(TeamView, View):
    permission = "send"
    team_model = SmsBatch
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.get_team_object()
        action = request.POST.get("action", "")
        user = self.user
        try:
            if action == "pause":
                actions.sms_batch_pause(batch=batch, actor=user, request=request)
                messages.success(request, _("Paused: no further chunk is sent until you resume."))
            elif action == "resume":
                actions.sms_batch_resume(batch=batch, actor=user, request=request)
                messages.success(request, _("Resumed."))
            elif action == "cancel":
                count = actions.sms_batch_cancel(batch=batch, actor=user, request=request)
                text = ngettext(
                    "Cancelled: %(count)s chunk will not be sent.",
                    "Cancelled: %(count)s chunks will not be sent.",
                    count,
                )
                messages.success(request, text % {"count": count})
            elif action == "cancel_scheduled":
                scheduled.sms_scheduled_cancel(batch=batch, actor=user, request=request)
                messages.success(request, _("The scheduled send is cancelled: nothing of it is sent."))
            elif action == "retry":
                count = actions.sms_batch_retry_failed(batch=batch, actor=user, request=request)
                text = ngettext(
                    "%(count)s failed chunk is queued again.", "%(count)s failed chunks are queued again.", count
                )
                messages.success(request, text % {"count": count})
            elif action == "resend":
                new = actions.sms_batch_resend_undelivered(batch=batch, actor=user, request=request)
                messages.success(request, _("A new batch resends to the undelivered numbers."))
                return redirect("sms-detail", pk=new.pk)
            else:
                messages.error(request, _("Unknown action."))
        except SmsError as exc:
            messages.error(request, str(exc))
        return redirect("sms-detail", pk=batch.pk)


class BatchScheduleEditView(TeamView, TemplateView):
    """A held batch's text and time, changed until the worker hands it to the provider; a new text is reviewed."""

    permission = "send"
    team_model = SmsBatch
    template_name = "messaging/schedule_edit.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = self.get_team_object()
        if batch.state != SmsBatch.State.SCHEDULED:
            messages.error(request, scheduled.already_claimed())
            return redirect("sms-detail", pk=batch.pk)
        when = timezone.localtime(batch.scheduled_at, self.team.tzinfo) if batch.scheduled_at else None
        initial = {"text": batch.text, "scheduled_at": when.replace(tzinfo=None) if when else None}
        return self.show(ScheduledEditForm(initial=initial, batch=batch))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = self.get_team_object()
        initial = {"text": batch.text}  # what a disabled field (a personalised text) keeps
        form = ScheduledEditForm(request.POST, initial=initial, batch=batch)
        if not form.is_valid():
            return self.show(form, status=400)
        if form.text_changed and not (request.POST.get("step") == "save" and form.review_confirmed):
            if request.POST.get("step") != "edit":
                return self.review(form)
            return self.show(form)
        data = form.cleaned_data
        price = form.balance.part_price if form.balance else None
        try:
            scheduled.sms_scheduled_edit(
                batch=batch,
                actor=self.user,
                text=data["text"],
                scheduled_at=data["scheduled_at"],
                part_price=price,
                currency=form.balance.currency if form.balance else "",
                request=request,
            )
        except SmsError as exc:
            messages.error(request, str(exc))
            return redirect("sms-detail", pk=batch.pk)
        messages.success(request, _("The scheduled send is changed."))
        return redirect("sms-detail", pk=batch.pk)

    def review(self, form: ScheduledEditForm) -> HttpResponse:
        """The new text's parts and cost next to the old ones: Confirm saves, Back keeps what was typed."""
        change = form.change
        assert change is not None
        return TemplateResponse(
            self.request,
            "messaging/schedule_review.html",
            self.get_context_data(
                batch=form.batch,
                form=form,
                change=change,
                alphabet_label=ALPHABET_LABELS.get(change.plan.alphabet, change.plan.alphabet),
                currency=form.balance.currency if form.balance else form.batch.currency,
                review_key=form.review_fingerprint(),
            ),
        )

    def show(self, form: ScheduledEditForm, status: int = 200) -> HttpResponse:
        return self.render_to_response(self.get_context_data(batch=form.batch, form=form), status=status)


# --- compose -------------------------------------------------------------------------------


class ComposeView(TeamView, TemplateView):
    """New SMS. A send to a file or contact groups goes through a review page first; typed numbers go at once."""

    permission = "send"
    template_name = "messaging/compose.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial: dict[str, Any] = {"submission_key": uuid.uuid4().hex}
        template_id = request.GET.get("template")
        if template_id and template_id.isdigit():
            template = self.team.sms_templates.filter(pk=template_id).first()
            if template:
                initial["text"] = template.text
        return self.show(ComposeForm(team=self.team, initial=initial))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ComposeForm(request.POST, request.FILES, team=self.team)
        if not form.is_valid():
            return self.show(form, status=400)
        step = request.POST.get("step", "")
        if step == "edit":  # back from the review: everything as it was typed, the file kept
            return self.show(form)
        if form.needs_review and not (step == "send" and form.review_confirmed):
            return self.review(form)
        try:
            batch = sms_batch_create(
                # A file's recipients are written in the background: the batch page shows the storing.
                form.batch_request(actor=self.user, store_later=bool(form.kept_upload)),
                request=request,
            )
        except SmsError as exc:
            form.add_error(None, str(exc))
            return self.show(form, status=400)
        uploads.drop(team=self.team, token=form.kept_upload)
        count = batch.recipient_count
        batch.refresh_from_db(fields=["progress_at", "state"])
        if batch.state in (SmsBatch.State.STORING, SmsBatch.State.NOT_STORED):  # the batch page tells how it goes
            text = ngettext(
                "%(count)s recipient confirmed. It is being stored: this page shows the progress, and the send "
                "starts once it is stored.",
                "%(count)s recipients confirmed. They are being stored: this page shows the progress, and the send "
                "starts once all are stored.",
                count,
            )
            messages.success(request, text % {"count": count})
        elif batch.state == SmsBatch.State.SCHEDULED:
            text = ngettext(
                "%(count)s recipient stored. The send waits here until its time: until then you can change or "
                "cancel it.",
                "%(count)s recipients stored. The send waits here until its time: until then you can change or "
                "cancel it.",
                count,
            )
            messages.success(request, text % {"count": count})
        elif send_queue.sms_batch_stalled(batch):  # the send could not be queued: the worker cannot be reached
            text = ngettext(
                "%(count)s recipient stored. The background worker cannot be reached right now: the batch is "
                "sent as soon as it can be.",
                "%(count)s recipients stored. The background worker cannot be reached right now: the batch is "
                "sent as soon as it can be.",
                count,
            )
            messages.warning(request, text % {"count": count})
        elif balance.provider_unreachable(account=form.cleaned_data["account"]):
            text = ngettext(
                "%(count)s recipient stored. The provider is not answering right now: the batch is queued "
                "and sent as soon as it answers.",
                "%(count)s recipients stored. The provider is not answering right now: the batch is queued "
                "and sent as soon as it answers.",
                count,
            )
            messages.warning(request, text % {"count": count})
        else:
            text = ngettext(
                "%(count)s recipient stored; sending in the background.",
                "%(count)s recipients stored; sending in the background.",
                count,
            )
            messages.success(request, text % {"count": count})
        return redirect("sms-detail", pk=batch.pk)

    def review(self, form: ComposeForm) -> HttpResponse:
        """Who gets what, what was left out and what it costs; Confirm sends, Back keeps everything."""
        prepared, plan = form.prepared, form.plan
        assert prepared is not None and plan is not None
        price = form.balance.part_price if form.balance else None
        samples = [
            (r, render(form.cleaned_data["text"], r.values) if plan.personalised else form.cleaned_data["text"])
            for r in prepared.recipients[:3]
        ]
        review_key = form.review_fingerprint()
        form.stash_review(review_key)
        context = self.get_context_data(
            form=form,
            prepared=prepared,
            plan=plan,
            samples=samples,
            cost=price * plan.total_parts if price is not None else None,
            currency=form.balance.currency if form.balance else "",
            review_key=review_key,
        )
        return TemplateResponse(self.request, "messaging/review.html", context)

    def show(self, form: ComposeForm, status: int = 200) -> HttpResponse:
        accounts = form.accounts
        chosen = getattr(form, "cleaned_data", {}).get("account")
        account = chosen or (accounts[0] if accounts else None)
        found = form.balance or (balance.account_balance(account=account) if account else None)
        fields = _group_fields(self.team)
        group_info = {
            str(g.pk): {"size": g.size, "fields": sorted(fields.get(g.pk, ()))}
            for g in self.team.contact_groups.annotate(size=Count("contacts"))
        }
        prepared = form.prepared
        kept_file = (
            {"count": prepared.from_file, "fields": prepared.file_fields}
            if prepared is not None and form.kept_upload
            else None
        )
        context = self.get_context_data(
            form=form,
            accounts=accounts,
            balance=found,
            balance_stale=_stale(found),
            account=account,
            reserve=limits.operator_reserve(account) if account else 0,
            max_parts=limits.sms_max_parts(account) if account else 0,
            max_parts_by_account={str(a.pk): limits.sms_max_parts(a) for a in accounts},
            alphabet_labels=json.dumps({k: str(v) for k, v in ALPHABET_LABELS.items()}),
            gsm_tables=encoding.tables_data(),
            templates=self.team.sms_templates.all(),
            contact_fields=sorted(prepared.fields) if prepared else ["name"],
            group_info=group_info,
            kept_file=kept_file,
        )
        return self.render_to_response(context, status=status)


def _group_fields(team: Team) -> dict[int, set[str]]:
    """The placeholders each of the team's groups' contacts bring besides {name}: the keys of their extra
    fields, by group id; one query for all groups (it was one per group)."""
    keys: dict[int, set[str]] = {}
    memberships = Contact.groups.through.objects.filter(contactgroup__team=team)
    rows = memberships.values_list("contactgroup_id", "contact__fields").iterator(chunk_size=2000)
    for group_id, fields in rows:
        keys.setdefault(group_id, set()).update(str(k).lower() for k in fields or {})
    return keys


def _stale(found: balance.Balance | None) -> bool:
    """A balance still being read (nothing known, no failure yet): the card asks again shortly."""
    return found is not None and found.amount is None and not found.error


class ComposeBalanceView(TeamView, TemplateView):
    """The balance card of New SMS, polled by htmx while the worker reads the balance."""

    permission = "send"
    template_name = "messaging/_balance.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = limits.pasifik_sms_accounts(self.team).filter(is_active=True, pk=request.GET.get("account") or 0)
        found = account.first()
        if found is None:
            return HttpResponse(status=204)
        current = balance.account_balance(account=found)
        return self.render_to_response({"balance": current, "balance_stale": _stale(current), "account": found})


# --- contacts --------------------------------------------------------------------------------


class ContactListView(TeamView, TemplateView):
    """Contacts and groups; POST adds a contact, a group, or imports a file."""

    template_name = "messaging/contacts.html"
    permissions_by_method = {"POST": "manage_contacts"}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.show()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        what = request.POST.get("form", "contact")
        if what == "group":
            group_form = ContactGroupForm(request.POST, team=self.team)
            if group_form.is_valid():
                address_book.group_save(
                    team=self.team,
                    actor=self.user,
                    name=group_form.cleaned_data["name"],
                    request=request,
                )
                messages.success(request, _("Group created."))
                return redirect("sms-contacts")
            return self.show(group_form=group_form, status=400)
        if what == "import":
            return self.import_file()
        form = ContactForm(request.POST, team=self.team)
        if form.is_valid():
            address_book.contact_save(
                team=self.team,
                actor=self.user,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                groups=form.cleaned_data["groups"],
                request=request,
            )
            messages.success(request, _("Contact added."))
            return redirect("sms-contacts")
        return self.show(form=form, status=400)

    def import_file(self) -> HttpResponse:
        request = self.request
        form = ContactImportForm(request.POST, request.FILES, team=self.team)
        if not form.is_valid():
            return self.show(import_form=form, status=400)
        upload = form.cleaned_data["file"]
        try:
            job = contact_import.contact_import_start(
                team=self.team,
                actor=self.user,
                name=upload.name,
                data=upload.read(),
                group=form.cleaned_data.get("group"),
            )
        except FileError as exc:
            form.add_error("file", str(exc))
            return self.show(import_form=form, status=400)
        if contact_import.runs_inline(job):
            contact_import.contact_import_run(job_id=job.pk)
        else:
            contact_import.contact_import_queue(job)
        return redirect("sms-contact-import", pk=job.pk)

    def show(self, status: int = 200, **forms: Any) -> HttpResponse:
        filterset = ContactFilter(
            self.request.GET or None, queryset=self.team.contacts.prefetch_related("groups"), team=self.team
        )
        table = ContactTable(filterset.qs)
        paginate_table(self.request, table, per_page=50)
        context = self.get_context_data(
            filter=filterset,
            table=table,
            groups=self.team.contact_groups.annotate(size=Count("contacts")),
            form=forms.get("form") or ContactForm(team=self.team),
            group_form=forms.get("group_form") or ContactGroupForm(team=self.team),
            import_form=forms.get("import_form") or ContactImportForm(team=self.team),
            imports=self.team.contact_imports.all()[:3],
            can_manage=self.can("manage_contacts"),
        )
        return self.render_to_response(context, status=status)


class ContactImportView(TeamView, TemplateView):
    """One contact import: its progress while the worker reads it, then every row left out."""

    template_name = "messaging/contact_import.html"
    team_model = ContactImport

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_team_object()
        if request.GET.get("part") == "progress":
            self.template_name = "messaging/_contact_import.html"
        return self.render_to_response(
            self.get_context_data(
                job=job,
                file_error=contact_import.describe_job_file_error(job),
                row_errors=[contact_import.describe_row_error(e) for e in job.errors],
                not_listed=job.error_count - len(job.errors),
            )
        )


class ContactEditView(TeamView, TemplateView):
    template_name = "messaging/contact_form.html"
    team_model = Contact
    permissions_by_method = {"POST": "manage_contacts"}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = self.get_team_object()
        return self.render_to_response({"form": ContactForm(instance=contact, team=self.team), "contact": contact})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = self.get_team_object()
        if request.POST.get("delete"):
            address_book.contact_delete(contact=contact, actor=self.user, request=request)
            messages.success(request, _("Contact deleted."))
            return redirect("sms-contacts")
        form = ContactForm(request.POST, instance=contact, team=self.team)
        if form.is_valid():
            address_book.contact_save(
                team=self.team,
                actor=self.user,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                groups=form.cleaned_data["groups"],
                contact=contact,
                request=request,
            )
            messages.success(request, _("Contact saved."))
            return redirect("sms-contacts")
        return self.render_to_response({"form": form, "contact": contact}, status=400)


class ContactGroupEditView(TeamView, TemplateView):
    template_name = "messaging/group_form.html"
    team_model = ContactGroup
    permissions_by_method = {"POST": "manage_contacts"}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.get_team_object()
        return self.show(group, ContactGroupForm(instance=group, team=self.team))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.get_team_object()
        form = ContactGroupForm(request.POST, instance=group, team=self.team)
        if not form.is_valid():
            return self.show(group, form, status=400)
        address_book.group_save(
            team=self.team,
            actor=self.user,
            name=form.cleaned_data["name"],
            group=group,
            request=request,
        )
        messages.success(request, _("Group saved."))
        return redirect("sms-contacts")

    def show(self, group: ContactGroup, form: ContactGroupForm, status: int = 200) -> HttpResponse:
        return self.render_to_response(
            {"group": group, "form": form, "contacts": page_of(self.request, group.contacts.all(), per_page=100)},
            status=status,
        )


class _TeamDeleteView(TeamView, View):
    """POST-only removal of a small team object through its service (``remove``), back to ``success_url``."""

    permission = "manage_contacts"
    http_method_names = ["post"]
    success_url = "sms-contacts"
    done = gettext_lazy("Deleted.")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.remove(self.get_team_object(), request)
        messages.success(request, str(self.done))
        return redirect(self.success_url)

    def remove(self, found: Any, request: HttpRequest) -> None:
        raise NotImplementedError


class ContactGroupDeleteView(_TeamDeleteView):
    team_model = ContactGroup
    done = gettext_lazy("Group deleted; its contacts stay.")

    def remove(self, found: ContactGroup, request: HttpRequest) -> None:
        address_book.group_delete(group=found, actor=self.user, request=request)


class OptOutListView(TeamView, TemplateView):
    template_name = "messaging/opt_outs.html"
    permissions_by_method = {"POST": "manage_contacts"}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.show(OptOutForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = OptOutForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        address_book.opt_out_add(
            team=self.team,
            actor=self.user,
            phone=form.cleaned_data["phone"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, _("The number will not receive our messages."))
        return redirect("sms-opt-outs")

    def show(self, form: OptOutForm, status: int = 200) -> HttpResponse:
        return self.render_to_response(
            {
                "form": form,
                "opt_outs": page_of(self.request, self.team.sms_opt_outs.all(), per_page=50),
                "can_manage": self.can("manage_contacts"),
            },
            status=status,
        )


class OptOutDeleteView(_TeamDeleteView):
    team_model = OptOut
    success_url = "sms-opt-outs"
    done = gettext_lazy("The number may receive our messages again.")

    def remove(self, found: OptOut, request: HttpRequest) -> None:
        address_book.opt_out_remove(opt_out=found, actor=self.user, request=request)


class TemplateListView(TeamView, TemplateView):
    template_name = "messaging/templates.html"
    permissions_by_method = {"POST": "manage_contacts"}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.show(SmsTemplateForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SmsTemplateForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        address_book.template_create(
            team=self.team,
            actor=self.user,
            name=form.cleaned_data["name"],
            text=form.cleaned_data["text"],
            request=request,
        )
        messages.success(request, _("Template saved."))
        return redirect("sms-templates")

    def show(self, form: SmsTemplateForm, status: int = 200) -> HttpResponse:
        return self.render_to_response(
            {"form": form, "templates": self.team.sms_templates.all(), "can_manage": self.can("manage_contacts")},
            status=status,
        )


class TemplateDeleteView(_TeamDeleteView):
    team_model = SmsTemplate
    success_url = "sms-templates"
    done = gettext_lazy("Template deleted.")

    def remove(self, found: SmsTemplate, request: HttpRequest) -> None:
        address_book.template_delete(template=found, actor=self.user, request=request)
