from django.urls import path

from . import views

urlpatterns = [
    path("", views.BatchListView.as_view(), name="sms-list"),
    path("new/", views.ComposeView.as_view(), name="sms-new"),
    path("contacts/", views.ContactListView.as_view(), name="sms-contacts"),
]
