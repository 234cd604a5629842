from django.urls import path

from . import views

urlpatterns = [
    path("balance/", views.BalancePanel.as_view(), name="dashboard-balance"),
    path("sms/", views.SmsPanel.as_view(), name="dashboard-sms"),
    path("calls/", views.CallsPanel.as_view(), name="dashboard-calls"),
    path("live/", views.LivePanel.as_view(), name="dashboard-live"),
    path("faxes/", views.FaxPanel.as_view(), name="dashboard-faxes"),
    path("health/", views.HealthPanel.as_view(), name="dashboard-health"),
]
