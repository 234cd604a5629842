from django.urls import path

from . import personal_data_views, views

urlpatterns = [
    path("retention/", views.RetentionView.as_view(), name="privacy-retention"),
    path("holds/calls/<int:pk>/", views.CallHoldView.as_view(), name="privacy-hold-call"),
    path("holds/sms/<int:pk>/", views.SmsBatchHoldView.as_view(), name="privacy-hold-sms"),
    path("holds/fax/<int:pk>/", views.FaxHoldView.as_view(), name="privacy-hold-fax"),
    path("requests/", personal_data_views.PersonalDataView.as_view(), name="privacy-request"),
    path("requests/export/", personal_data_views.PersonalDataExportView.as_view(), name="privacy-request-export"),
    path("requests/erase/", personal_data_views.PersonalDataEraseView.as_view(), name="privacy-request-erase"),
]
