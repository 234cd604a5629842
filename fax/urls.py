from django.urls import path

from . import views

urlpatterns = [
    path("", views.FaxListView.as_view(), name="fax-list"),
    path("new/", views.FaxComposeView.as_view(), name="fax-new"),
]
