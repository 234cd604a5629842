from django.urls import path

from . import views

urlpatterns = [
    path("calls/", views.CallListView.as_view(), name="calls-list"),
    path("calls/live/", views.LiveCallsView.as_view(), name="calls-live"),
    path("pbx/", views.PbxView.as_view(), name="pbx"),
]
