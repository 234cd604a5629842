from django.urls import path

from . import stats_views, views

urlpatterns = [
    path("calls/", views.CallListView.as_view(), name="calls-list"),
    path("calls/stats/", stats_views.CallStatsView.as_view(), name="calls-stats"),
    path("calls/stats/callers/", stats_views.CallStatsCallersView.as_view(), name="calls-stats-callers"),
    path("calls/chart/", views.CallChartView.as_view(), name="calls-chart"),
    path("calls/export/", views.CallExportView.as_view(), name="calls-export"),
    path("calls/live/", views.LiveCallsView.as_view(), name="calls-live"),
    path("calls/<int:pk>/", views.CallDetailView.as_view(), name="calls-detail"),
    path("calls/<int:pk>/recording/", views.RecordingView.as_view(), name="calls-recording"),
    path("calls/<int:pk>/waveform/", views.CallWaveformView.as_view(), name="calls-waveform"),
    path("pbx/", views.PbxView.as_view(), name="pbx"),
]
