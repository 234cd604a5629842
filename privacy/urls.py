from django.urls import path

from . import views

urlpatterns = [
    path("retention/", views.RetentionView.as_view(), name="privacy-retention"),
    path("holds/calls/<int:pk>/", views.CallHoldView.as_view(), name="privacy-hold-call"),
    path("holds/sms/<int:pk>/", views.SmsBatchHoldView.as_view(), name="privacy-hold-sms"),
    path("holds/fax/<int:pk>/", views.FaxHoldView.as_view(), name="privacy-hold-fax"),
]
