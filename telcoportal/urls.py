from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.language_views import language_choose
from accounts.two_factor_views import TwoFactorLoginView
from dashboard.views import DashboardView

from . import health, metrics_view

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics_view.metrics, name="metrics"),
    path("accounts/login/", TwoFactorLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", language_choose, name="set_language"),
    path("", include("accounts.urls")),
    path("sms/", include("messaging.urls")),
    path("", include("telephony.urls")),
    path("fax/", include("fax.urls")),
    path("email-to-fax/", include("email_to_fax.urls")),
    path("fax/", include("fax_to_email.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("webhooks.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("api.page_urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("exportjobs.urls")),
    path("admin/", admin.site.urls),
]

# An /api/ address that matches no route answers JSON like every API error; pages keep the 404 page.
handler404 = "api.errors.not_found"
