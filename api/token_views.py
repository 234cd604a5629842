"""The API tokens page: a member makes, lists and revokes their own tokens (admins may revoke any of the team's)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.access import TeamView

from .forms import TokenForm
from .models import ApiToken
from .tokens import token_create, token_revoke


class TokensView(TeamView, TemplateView):
    permission = "view"  # every member may have tokens; the role still caps what each does
    template_name = "api/tokens.html"

    def visible(self) -> QuerySet[ApiToken]:
        tokens = ApiToken.objects.filter(team=self.team).select_related("membership__user")
        return tokens if self.can("manage_members") else tokens.filter(membership=self.membership)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.show(TokenForm(membership=self.membership))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "revoke" in request.POST:
            return self.revoke(request.POST["revoke"])
        form = TokenForm(request.POST, membership=self.membership)
        if not form.is_valid():
            return self.show(form, status=400)
        new = token_create(
            membership=self.membership, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"], request=request,
        )  # fmt: skip
        # Shown in this answer only: not stored, not put in a message that a reload would show again.
        return self.show(TokenForm(membership=self.membership), new_token=new.raw, new_name=new.token.name)

    def revoke(self, token_id: str) -> HttpResponse:
        if not token_id.isdigit():
            raise Http404
        token = self.visible().filter(pk=token_id).first()
        if token is None:
            raise Http404
        token_revoke(token=token, actor=self.membership, request=self.request)
        messages.success(self.request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
        return redirect("api-tokens")

    def show(self, form: TokenForm, status: int = 200, **extra: Any) -> HttpResponse:
        context = self.get_context_data(form=form, tokens=self.visible(), mine=self.membership, **extra)
        response = self.render_to_response(context, status=status)
        response["Cache-Control"] = "no-store"  # the new token must not stay in a cache
        return response
