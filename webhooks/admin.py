from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """For the operator to look and to switch an endpoint off; endpoints are added on the team's page, where the
    address is checked (the secret is never shown here)."""

    list_display = ("url", "team", "is_active", "disabled_by", "failing_since", "created_at")
    list_filter = ("is_active", "disabled_by")
    fields = ("team", "url", "description", "events", "is_active", "disabled_by", "disabled_at", "failing_since")
    readonly_fields = ("team", "url", "events", "disabled_by", "disabled_at", "failing_since")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("public_id", "endpoint", "state", "attempts", "next_attempt_at", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("team", "endpoint", "event", "redelivery_of")
