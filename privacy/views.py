"""The data-protection pages: retention settings and their dry run, legal holds."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.access import TeamView
from fax.models import Fax
from messaging.models import SmsBatch
from telephony.models import CallRecord

from .forms import LegalHoldForm, RetentionForm
from .holds import legal_hold_clear, legal_hold_set
from .retention import retention_days, retention_preview, retention_update


class RetentionView(TeamView, TemplateView):
    permission = "manage_retention"
    template_name = "privacy/retention.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        saved = retention_days(self.team)
        context.setdefault("form", RetentionForm(initial={kind.value: days for kind, days in saved.items()}))
        context["saved"] = [(kind, days) for kind, days in saved.items()]
        if self.request.GET.get("preview"):
            context["preview"] = retention_preview(team=self.team)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RetentionForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        retention_update(team=self.team, actor=self.user, days=form.days(), request=request)
        messages.success(request, _("Retention settings saved."))
        return redirect("privacy-retention")


class LegalHoldView(TeamView, TemplateView):
    """The hold of one item: a page of its own for the form's errors; the item's page shows the same form."""

    permission = "manage_legal_holds"
    template_name = "privacy/legal_hold.html"
    detail_url_name: ClassVar[str]

    def item_url(self, item: Any) -> str:
        return reverse(self.detail_url_name, args=[item.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = kwargs.get("item") or self.get_team_object()
        context.update(item=item, item_url=self.item_url(item), hold_url=self.request.path)
        context.setdefault("form", LegalHoldForm(held=item.legal_hold, initial={"action": "set"}))
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self.get_team_object()
        form = LegalHoldForm(request.POST, held=item.legal_hold)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(item=item, form=form))
        reason = form.cleaned_data["reason"]
        if form.cleaned_data["action"] == "set":
            legal_hold_set(item=item, actor=self.user, reason=reason, request=request)
            messages.success(request, _("Kept under legal hold: retention and erasure requests will not touch it."))
        else:
            legal_hold_clear(item=item, actor=self.user, reason=reason, request=request)
            messages.success(request, _("Legal hold cleared."))
        return redirect(self.item_url(item))


class CallHoldView(LegalHoldView):
    team_model = CallRecord
    detail_url_name = "calls-detail"


class SmsBatchHoldView(LegalHoldView):
    team_model = SmsBatch
    detail_url_name = "sms-detail"


class FaxHoldView(LegalHoldView):
    team_model = Fax
    detail_url_name = "fax-detail"
