from django.contrib import admin

from .models import ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("membership", "frequency", "last_period_start", "last_sent_at")
    list_filter = ("frequency",)
