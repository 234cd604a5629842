"""The fax address book's pages: contacts (search, group filter, export), a contact, a group, a file import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.access import TeamView
from accounts.audit import audit_record
from core.exports import ExportingPage, export_response, requested_format
from core.lists import page_of

from .book_forms import FaxContactForm, FaxContactGroupForm, FaxContactImportForm, FaxContactSearchForm
from .models import FaxContact, FaxContactGroup
from .services import address_book, contacts_io

PERMISSION = "manage_contacts"


class ContactListView(TeamView, ExportingPage):
    permission = PERMISSION
    template_name = "fax/book/contacts.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        search = FaxContactSearchForm(request.GET or None, team=self.team)
        data = search.cleaned_data if search.is_valid() else {}
        contacts = address_book.contacts_search(self.team, text=data.get("q") or "", group=data.get("group"))
        if file_format := requested_format(request.GET):
            audit_record(
                team=self.team, actor=self.user, action="fax.contacts_export", request=request, rows=contacts.count()
            )
            return export_response(
                file_format=file_format,
                filename=f"fax-contacts-{timezone.localdate():%Y%m%d}",
                headers=contacts_io.export_headers(),
                rows=contacts_io.export_rows(contacts),
                sheet_name=_("Fax contacts"),
            )
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "search": search,
            "contacts": page_of(request, contacts, per_page=50),
            "groups": self.team.fax_contact_groups.all(),
            "query": query.urlencode(),
        }
        return self.render_to_response(context)


class ContactEditView(TeamView, TemplateView):
    """Adds a contact (no ``pk``) or changes one; ``delete`` in the POST deletes it."""

    permission = PERMISSION
    team_model = FaxContact
    template_name = "fax/book/contact_form.html"

    def current(self) -> FaxContact | None:
        return self.get_team_object() if "pk" in self.kwargs else None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.current()
        return self.render_to_response({"form": FaxContactForm(team=self.team, contact=contact), "contact": contact})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.current()
        if contact is not None and request.POST.get("delete"):
            address_book.contact_delete(contact=contact, actor=self.user, request=request)
            messages.success(request, _("Contact deleted."))
            return redirect("fax-contacts")
        form = FaxContactForm(request.POST, team=self.team, contact=contact)
        if not form.is_valid():
            return self.render_to_response({"form": form, "contact": contact}, status=400)
        address_book.contact_save(
            team=self.team, actor=self.user, contact=contact, request=request, **form.cleaned_data
        )
        messages.success(request, _("Contact saved."))
        return redirect("fax-contacts")


class GroupEditView(TeamView, TemplateView):
    """Adds a group (no ``pk``) or renames one, listing its contacts; ``delete`` deletes it (its contacts stay)."""

    permission = PERMISSION
    team_model = FaxContactGroup
    template_name = "fax/book/group_form.html"

    def current(self) -> FaxContactGroup | None:
        return self.get_team_object() if "pk" in self.kwargs else None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.current()
        return self.show(FaxContactGroupForm(team=self.team, group=group), group)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.current()
        if group is not None and request.POST.get("delete"):
            address_book.group_delete(group=group, actor=self.user, request=request)
            messages.success(request, _("Group deleted; its contacts stay."))
            return redirect("fax-contacts")
        form = FaxContactGroupForm(request.POST, team=self.team, group=group)
        if not form.is_valid():
            return self.show(form, group, status=400)
        address_book.group_save(
            team=self.team, actor=self.user, name=form.cleaned_data["name"], group=group, request=request
        )
        messages.success(request, _("Group saved."))
        return redirect("fax-contacts")

    def show(self, form: FaxContactGroupForm, group: FaxContactGroup | None, status: int = 200) -> HttpResponse:
        members = page_of(self.request, group.contacts.all(), per_page=100) if group else None
        return self.render_to_response({"form": form, "group": group, "members": members}, status=status)


class ContactImportView(TeamView, TemplateView):
    """A CSV or XLSX file of contacts: imported at once, then every row left out, with its reason."""

    permission = PERMISSION
    template_name = "fax/book/import.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": FaxContactImportForm(team=self.team)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FaxContactImportForm(request.POST, request.FILES, team=self.team)
        if not form.is_valid():
            return self.render_to_response({"form": form}, status=400)
        upload = form.cleaned_data["file"]
        report = contacts_io.contacts_import(
            team=self.team,
            actor=self.user,
            name=upload.name or "",
            data=upload.read(),
            group=form.cleaned_data.get("group"),
            request=request,
        )
        if report.file_error:
            form.add_error("file", report.file_error)
            return self.render_to_response({"form": form}, status=400)
        return self.render_to_response({"form": FaxContactImportForm(team=self.team), "report": report})
