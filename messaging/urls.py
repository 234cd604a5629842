from django.urls import path

from . import views

urlpatterns = [
    path("", views.BatchListView.as_view(), name="sms-list"),
    path("new/", views.ComposeView.as_view(), name="sms-new"),
    path("new/balance/", views.ComposeBalanceView.as_view(), name="sms-new-balance"),
    path("<int:pk>/", views.BatchDetailView.as_view(), name="sms-detail"),
    path("<int:pk>/progress/", views.BatchProgressView.as_view(), name="sms-progress"),
    path("<int:pk>/action/", views.BatchActionView.as_view(), name="sms-action"),
    path("<int:pk>/schedule/", views.BatchScheduleEditView.as_view(), name="sms-schedule-edit"),
    path("contacts/", views.ContactListView.as_view(), name="sms-contacts"),
    path("contacts/imports/<int:pk>/", views.ContactImportView.as_view(), name="sms-contact-import"),
    path("contacts/<int:pk>/", views.ContactEditView.as_view(), name="sms-contact-edit"),
    path("contacts/groups/<int:pk>/", views.ContactGroupEditView.as_view(), name="sms-group-edit"),
    path("contacts/groups/<int:pk>/delete/", views.ContactGroupDeleteView.as_view(), name="sms-group-delete"),
    path("opt-outs/", views.OptOutListView.as_view(), name="sms-opt-outs"),
    path("opt-outs/<int:pk>/delete/", views.OptOutDeleteView.as_view(), name="sms-opt-out-delete"),
    path("templates/", views.TemplateListView.as_view(), name="sms-templates"),
    path("templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(), name="sms-template-delete"),
]
