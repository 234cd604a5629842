from django.contrib import admin

from .models import CallRecord, ImportWatermark, StatusSnapshot


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = ("start", "team", "account", "source", "caller", "callee", "direction", "disposition", "duration")
    list_filter = ("source", "direction", "disposition", "has_recording", "recording_missing")
    search_fields = ("provider_id", "caller", "callee")
    date_hierarchy = "start"
    list_select_related = ("team", "account")
    raw_id_fields = ("team", "account")
    show_full_result_count = False  # a million rows: no COUNT(*) on every admin page


@admin.register(ImportWatermark)
class ImportWatermarkAdmin(admin.ModelAdmin):
    list_display = (
        "account", "source", "key", "imported_until", "last_run_at", "last_count", "last_skipped", "last_error_text",
    )  # fmt: skip
    list_filter = ("source",)
    readonly_fields = ("last_skipped", "skipped_records")
    list_select_related = ("account",)


@admin.register(StatusSnapshot)
class StatusSnapshotAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "fetched_at")
    list_filter = ("kind",)
    list_select_related = ("account",)
