from django.urls import path

from . import views

urlpatterns = [
    path("exports/new/<slug:export>/", views.ExportStartView.as_view(), name="export-start"),
    path("exports/<int:pk>/", views.ExportJobView.as_view(), name="export-job"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
    # Where the calls exports lived before every list's export became a job (same ids: links already sent work).
    path("calls/exports/<int:pk>/", views.ExportJobView.as_view(), name="calls-export-job"),
    path("calls/exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="calls-export-download"),
]
