from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http.response import HttpResponseBase
from django.urls import path

from . import address_book, calls, docs, faxes, me, sms


def api(view: Any) -> Callable[..., HttpResponseBase]:
    # Tokens, not sessions: LoginRequiredMiddleware must let the request reach the token check.
    return login_not_required(view.as_view())


app_name = "api"
urlpatterns = [
    path("schema/", login_not_required(docs.SchemaView.as_view()), name="schema"),
    path("docs/", login_not_required(docs.docs_page), name="docs"),
    path("me/", api(me.MeView), name="me"),
    path("sms/", api(sms.SmsListView), name="sms"),
    path("sms/<int:pk>/", api(sms.SmsDetailView), name="sms-detail"),
    path("sms/<int:pk>/recipients/", api(sms.SmsRecipientsView), name="sms-recipients"),
    path("contacts/", api(address_book.ContactListView), name="contacts"),
    path("contacts/<int:pk>/", api(address_book.ContactDetailView), name="contact"),
    path("opt-outs/", api(address_book.OptOutListView), name="opt-outs"),
    path("opt-outs/<int:pk>/", api(address_book.OptOutDetailView), name="opt-out"),
    path("calls/", api(calls.CallListView), name="calls"),
    path("calls/<int:pk>/", api(calls.CallDetailView), name="call"),
    path("calls/<int:pk>/recording/", api(calls.RecordingView), name="call-recording"),
    path("calls/live/", api(calls.LiveCallsView), name="calls-live"),
    path("calls/live/disconnect/", api(calls.DisconnectView), name="calls-disconnect"),
    path("faxes/", api(faxes.FaxListView), name="faxes"),
    path("faxes/<int:pk>/", api(faxes.FaxDetailView), name="fax"),
    path("faxes/<int:pk>/document/", api(faxes.FaxDocumentView), name="fax-document"),
]
