from django.urls import path

from . import views

urlpatterns = [
    path("", views.ReportSubscriptionView.as_view(), name="report-subscription"),
]
