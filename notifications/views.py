from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from accounts.access import TeamView
from core.lists import BoundedPaginationMixin

from . import services
from .models import Notification


class NotificationListView(BoundedPaginationMixin, TeamView, ListView):
    template_name = "notifications/list.html"
    team_model = Notification
    context_object_name = "notifications"
    paginate_by = 50


class NotificationsReadView(TeamView, View):
    permission = "view"

    def post(self, request: HttpRequest) -> HttpResponse:
        count = services.notifications_mark_all_read(team=self.team, actor=self.user, request=request)
        if count:
            messages.success(request, _("All notifications are marked as read."))
        return redirect("notifications")


class NotificationOpenView(TeamView, View):
    """Follows a notification to its object, marking it read on the way."""

    team_model = Notification

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = self.get_team_object()
        if notification.recipient_id not in (None, self.user.pk):
            raise Http404
        services.notifications_mark_read(team=self.team, pk=notification.pk)
        target = notification.url
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("notifications")
