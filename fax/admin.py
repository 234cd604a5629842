from django.contrib import admin

from .models import Fax, FaxDocument, FaxDraft, FaxEvent, FaxInboxPoll


class FaxDocumentInline(admin.TabularInline):
    model = FaxDocument
    extra = 0
    readonly_fields = ("role", "position", "file", "filename", "media_type", "size", "pages")


class FaxEventInline(admin.TabularInline):
    model = FaxEvent
    extra = 0
    readonly_fields = ("at", "kind", "status", "message", "actor")


@admin.register(Fax)
class FaxAdmin(admin.ModelAdmin):
    list_display = (
        "pk", "created_at", "team", "account", "direction", "status", "provider_status",
        "our_number", "remote_number", "pages", "attempts", "outcome_unknown", "is_stuck",
    )  # fmt: skip
    list_filter = ("direction", "status", "is_stuck", "outcome_unknown", "account__kind", "team")
    search_fields = ("remote_number", "our_number", "provider_id")
    date_hierarchy = "created_at"
    raw_id_fields = ("draft", "resent_from", "created_by", "account")
    inlines = [FaxDocumentInline, FaxEventInline]


@admin.register(FaxDraft)
class FaxDraftAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "team", "account", "our_number", "confirmed_at")
    list_filter = ("team", "account__kind")


@admin.register(FaxDocument)
class FaxDocumentAdmin(admin.ModelAdmin):
    list_display = ("pk", "fax", "role", "filename", "media_type", "size", "pages")
    list_filter = ("role", "media_type")
    raw_id_fields = ("fax",)


@admin.register(FaxEvent)
class FaxEventAdmin(admin.ModelAdmin):
    list_display = ("at", "fax", "kind", "status", "message")
    list_filter = ("kind", "status")
    raw_id_fields = ("fax", "actor")


@admin.register(FaxInboxPoll)
class FaxInboxPollAdmin(admin.ModelAdmin):
    list_display = ("account", "polled_at")
    readonly_fields = ("account", "polled_at", "skipped")
