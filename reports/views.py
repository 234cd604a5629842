"""``/reports/``: a member's own subscription to the emailed summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import TeamView

from . import services
from .forms import SubscriptionForm
from .models import Frequency, ReportSubscription


class ReportSubscriptionView(TeamView):
    permission = "view"  # every member chooses for themselves
    template_name = "reports/subscription.html"

    def subscription(self) -> ReportSubscription | None:
        return ReportSubscription.objects.filter(membership=self.membership).first()

    def page(self, request: HttpRequest, form: SubscriptionForm) -> HttpResponseBase:
        subscription = self.subscription()
        context: dict[str, Any] = {
            "form": form,
            "next_day": services.next_report_day(subscription) if subscription else None,
            "email": self.user.email,
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponseBase:
        subscription = self.subscription()
        frequency = subscription.frequency if subscription else Frequency.OFF
        return self.page(request, SubscriptionForm(initial={"frequency": frequency}))

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = SubscriptionForm(request.POST)
        if not form.is_valid():
            return self.page(request, form)
        services.subscription_set(membership=self.membership, frequency=form.cleaned_data["frequency"])
        messages.success(request, _("Your report setting is saved."))
        return redirect("report-subscription")
