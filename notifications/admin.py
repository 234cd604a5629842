from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "team", "kind", "message", "read_at", "cleared_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), "team")
    search_fields = ("message", "key")
    raw_id_fields = ("team",)
    date_hierarchy = "created_at"
