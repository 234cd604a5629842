"""The team's webhook endpoints: list, add (the secret shown once), change, delete, deliveries and redeliver."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.access import TeamView
from core.lists import page_of

from .forms import EndpointForm
from .models import Attempt, Delivery, Endpoint
from .services import WebhookError, delivery_redeliver, endpoint_create, endpoint_delete, endpoint_update
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER

SECRET_SESSION_KEY = "webhook_secret:%s"
DELIVERIES_PER_PAGE = 25


class EndpointListView(TeamView, View):
    permission = "manage_webhooks"

    def get(self, request: HttpRequest) -> HttpResponse:
        endpoints = self.team.webhook_endpoints.all()
        return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


class EndpointCreateView(TeamView, View):
    permission = "manage_webhooks"
    template_name = "webhooks/endpoint_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": EndpointForm(creating=True)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EndpointForm(request.POST, creating=True)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        endpoint, secret = endpoint_create(
            team=self.team,
            actor=self.user,
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
            events=form.cleaned_data["events"],
            request=request,
        )
        # Shown once, on the next page: the session holds it until then, the database only encrypted.
        request.session[SECRET_SESSION_KEY % endpoint.pk] = secret
        messages.success(request, _("Webhook endpoint added."))
        return redirect("webhook-detail", endpoint.pk)


class EndpointDetailView(TeamView, View):
    permission = "manage_webhooks"
    team_model = Endpoint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint: Endpoint = self.get_team_object()
        deliveries = (
            endpoint.deliveries.select_related("event")
            .prefetch_related(Prefetch("attempt_rows", queryset=Attempt.objects.order_by("number")))
            .order_by("-created_at", "-id")
        )
        context: dict[str, Any] = {
            "endpoint": endpoint,
            "page": page_of(request, deliveries, per_page=DELIVERIES_PER_PAGE),
            "secret": request.session.pop(SECRET_SESSION_KEY % endpoint.pk, ""),
            "headers": {"signature": SIGNATURE_HEADER, "event": EVENT_HEADER, "delivery": DELIVERY_HEADER},
        }
        return render(request, "webhooks/endpoint_detail.html", context)


class EndpointEditView(TeamView, View):
    permission = "manage_webhooks"
    team_model = Endpoint
    template_name = "webhooks/endpoint_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = self.get_team_object()
        return render(request, self.template_name, {"form": EndpointForm(instance=endpoint), "endpoint": endpoint})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint: Endpoint = self.get_team_object()
        form = EndpointForm(request.POST, instance=Endpoint.objects.get(pk=endpoint.pk))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "endpoint": endpoint}, status=400)
        endpoint_update(
            endpoint=endpoint,
            actor=self.user,
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
            events=form.cleaned_data["events"],
            is_active=form.cleaned_data["is_active"],
            request=request,
        )
        messages.success(request, _("Webhook endpoint saved."))
        return redirect("webhook-detail", endpoint.pk)


class EndpointDeleteView(TeamView, View):
    permission = "manage_webhooks"
    team_model = Endpoint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "webhooks/endpoint_delete.html", {"endpoint": self.get_team_object()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint_delete(endpoint=self.get_team_object(), actor=self.user, request=request)
        messages.success(request, _("Webhook endpoint deleted."))
        return redirect("webhook-list")


class DeliveryRedeliverView(TeamView, View):
    permission = "manage_webhooks"
    team_model = Delivery

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery: Delivery = self.get_team_object()
        try:
            delivery_redeliver(delivery=delivery, actor=self.user, request=request)
        except WebhookError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The event is being sent again."))
        return redirect("webhook-detail", delivery.endpoint_id)
