from django.urls import path

from . import views

urlpatterns = [
    path("email/rules/", views.RuleListView.as_view(), name="fax-mail-rules"),
    path("email/rules/new/", views.RuleFormView.as_view(), name="fax-mail-rule-create"),
    path("email/rules/<int:pk>/", views.RuleFormView.as_view(), name="fax-mail-rule-edit"),
    path("email/rules/<int:pk>/delete/", views.RuleDeleteView.as_view(), name="fax-mail-rule-delete"),
    path("email/deliveries/<int:pk>/resend/", views.DeliveryResendView.as_view(), name="fax-mail-resend"),
    path("email/mine/", views.MyFaxMailView.as_view(), name="fax-mail-me"),
    path("email/opt-out/<str:token>/", views.OptOutLinkView.as_view(), name="fax-mail-opt-out-link"),
    path("email/document/<str:token>/", views.DocumentLinkView.as_view(), name="fax-mail-document"),
    path("email/provider/<int:pk>/", views.ProviderMailtoView.as_view(), name="fax-mail-provider"),
]
