from django.contrib import admin

from .models import Contact, ContactGroup, OptOut, SmsAttempt, SmsBatch, SmsChunk, SmsRecipient, SmsTemplate


class SmsChunkInline(admin.TabularInline):
    model = SmsChunk
    extra = 0
    fields = ("index", "state", "universal", "size", "sms_id", "attempts", "attempted_at", "error_text")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(SmsBatch)
class SmsBatchAdmin(admin.ModelAdmin):
    list_display = ("id", "team", "sender", "state", "recipient_count", "alphabet", "created_by_email", "created_at")
    list_filter = ("state", "alphabet", "personalised", "flash", "team")
    search_fields = ("sender", "text", "created_by_email")
    raw_id_fields = ("account", "created_by", "resend_of")
    date_hierarchy = "created_at"
    inlines = [SmsChunkInline]


class SmsAttemptInline(admin.TabularInline):
    model = SmsAttempt
    extra = 0
    fields = ("number", "started_at", "outcome", "duration_ms", "finished_at", "retry_at", "error_text")
    readonly_fields = fields
    can_delete = False


@admin.register(SmsChunk)
class SmsChunkAdmin(admin.ModelAdmin):
    list_display = ("batch", "index", "state", "size", "sms_id", "attempts", "attempted_at", "duration_ms")
    list_filter = ("state", "universal", "auto_retry", "reports_final")
    search_fields = ("sms_id", "error")
    raw_id_fields = ("batch",)
    inlines = [SmsAttemptInline]


@admin.register(SmsRecipient)
class SmsRecipientAdmin(admin.ModelAdmin):
    list_display = ("phone", "batch", "state", "status_text", "cost", "last_update")
    list_filter = ("state",)
    search_fields = ("phone", "name")
    raw_id_fields = ("batch", "chunk")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "team", "created_at")
    list_filter = ("team", "groups")
    search_fields = ("name", "phone")
    filter_horizontal = ("groups",)


@admin.register(ContactGroup)
class ContactGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "created_at")
    list_filter = ("team",)
    search_fields = ("name",)


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("phone", "team", "reason", "created_at")
    list_filter = ("team",)
    search_fields = ("phone", "reason")


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "created_at")
    list_filter = ("team",)
    search_fields = ("name", "text")
