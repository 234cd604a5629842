from django.urls import path

from . import views

urlpatterns = [
    path("", views.MailboxView.as_view(), name="email-to-fax"),
    path("mails/<int:pk>/", views.InboundMailView.as_view(), name="email-to-fax-mail"),
]
