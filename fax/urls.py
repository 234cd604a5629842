from django.urls import path

from . import book_views, cover_views, views

urlpatterns = [
    path("", views.FaxListView.as_view(), name="fax-list"),
    path("new/", views.FaxComposeView.as_view(), name="fax-new"),
    path("notifications/read/", views.NotificationsReadView.as_view(), name="fax-notifications-read"),
    path("drafts/<int:pk>/", views.FaxDraftView.as_view(), name="fax-draft"),
    path("drafts/<int:pk>/page/", views.FaxDraftPageView.as_view(), name="fax-draft-page"),
    path("covers/", cover_views.CoverTemplateListView.as_view(), name="fax-covers"),
    path("covers/new/", cover_views.CoverTemplateEditView.as_view(), name="fax-cover-new"),
    path("covers/<int:pk>/", cover_views.CoverTemplateEditView.as_view(), name="fax-cover-edit"),
    path("covers/<int:pk>/sample/", cover_views.CoverTemplateSampleView.as_view(), name="fax-cover-sample"),
    path("contacts/", book_views.ContactListView.as_view(), name="fax-contacts"),
    path("contacts/new/", book_views.ContactEditView.as_view(), name="fax-contact-new"),
    path("contacts/<int:pk>/", book_views.ContactEditView.as_view(), name="fax-contact-edit"),
    path("contacts/import/", book_views.ContactImportView.as_view(), name="fax-contacts-import"),
    path("contacts/groups/new/", book_views.GroupEditView.as_view(), name="fax-group-new"),
    path("contacts/groups/<int:pk>/", book_views.GroupEditView.as_view(), name="fax-group-edit"),
    path("<int:pk>/", views.FaxDetailView.as_view(), name="fax-detail"),
    path("<int:pk>/page/", views.FaxPageView.as_view(), name="fax-page"),
    path("<int:pk>/document/", views.FaxDocumentView.as_view(), name="fax-document"),
    path("<int:pk>/retry/", views.FaxRetryView.as_view(), name="fax-retry"),
    path("<int:pk>/cancel/", views.FaxCancelView.as_view(), name="fax-cancel"),
    path("<int:pk>/schedule/", views.FaxScheduleView.as_view(), name="fax-schedule-edit"),
    path("<int:pk>/resend/", views.FaxResendView.as_view(), name="fax-resend"),
]
