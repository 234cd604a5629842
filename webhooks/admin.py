from django.contrib import admin

from .models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "team", "is_active", "disabled_by", "failing_since", "created_at")
    list_filter = ("is_active", "disabled_by")
    raw_id_fields = ("team", "created_by")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("public_id", "endpoint", "state", "attempts", "next_attempt_at", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("team", "endpoint", "event", "redelivery_of")
