"""Pages for a team's lifecycle: transfer ownership, leave the team, delete the team (accounts.team_lifecycle)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .access import TeamView
from .middleware import SESSION_KEY
from .models import Membership, Team, User
from .roles import Role
from .team_lifecycle import LifecycleError, is_last_owner, team_delete, team_leave, team_ownership_transfer
from .two_factor import has_two_factor


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.get_full_name()} ({obj.user.email})"


NOT_A_MEMBER = gettext_lazy("That person is not a member of this team. Nothing was changed.")


class OwnershipTransferForm(forms.Form):
    new_owner = MemberChoiceField(
        label=gettext_lazy("New owner"),
        queryset=Membership.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": gettext_lazy("That person is not a member of this team. Nothing was changed.")
        },
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, team: Team, owner: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_owner"]
        assert isinstance(field, MemberChoiceField)
        # Any other member is a valid answer, so the service can say why a non-admin cannot take over;
        # only admins are offered.
        field.queryset = team.memberships.exclude(pk=owner.pk).select_related("user").order_by("user__email")
        field.widget.choices = [(m.pk, field.label_from_instance(m)) for m in field.queryset.filter(role=Role.ADMIN)]


class TeamDeleteForm(forms.Form):
    confirm_name = forms.CharField(label=gettext_lazy("The team's name"), strip=False)
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Two-factor code"),
        required=False,
        help_text=gettext_lazy("The code your authenticator app shows now (or a recovery code)."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_two_factor(user):
            del self.fields["code"]


def _landing(request: HttpRequest, user: User) -> HttpResponse:
    """Where a person goes once a team is gone for them: another team of theirs, or the page to start one."""
    request.session.pop(SESSION_KEY, None)
    other = Membership.objects.filter(user=user).select_related("team").order_by("team__name", "team_id").first()
    if other is None:  # the page says there is none, and how to start or join one
        return redirect("team-create")
    request.session[SESSION_KEY] = other.team_id
    messages.info(request, _("You are now working in %(team)s.") % {"team": other.team.name})
    return redirect("dashboard")


class OwnershipTransferView(TeamView, TemplateView):
    template_name = "accounts/team_transfer.html"
    permission = "transfer_ownership"

    def form(self, data: Any = None) -> OwnershipTransferForm:
        return OwnershipTransferForm(data, team=self.team, owner=self.membership)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context["has_admins"] = self.team.memberships.filter(role=Role.ADMIN).exists()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                new_owner = team_ownership_transfer(
                    owner=self.membership,
                    new_owner=form.cleaned_data["new_owner"],
                    password=form.cleaned_data["password"],
                    request=request,
                )
            except LifecycleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(person)s is now the owner of %(team)s; you are an admin.")
                    % {"person": new_owner.user, "team": self.team.name},
                )
                return redirect("team-settings")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TeamLeaveView(TeamView, TemplateView):
    template_name = "accounts/team_leave.html"
    permission = "view"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["last_owner"] = is_last_owner(self.membership)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        name = self.team.name
        try:
            team_leave(membership=self.membership, request=request)
        except LifecycleError as exc:
            messages.error(request, str(exc))
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(request, _("You left %(team)s.") % {"team": name})
        return _landing(request, self.user)


class TeamDeleteView(TeamView, TemplateView):
    template_name = "accounts/team_delete.html"
    permission = "delete_team"

    def form(self, data: Any = None) -> TeamDeleteForm:
        return TeamDeleteForm(data, user=self.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context["other_members"] = self.team.memberships.exclude(pk=self.membership.pk).count()
        context["provider_accounts"] = self.team.provider_accounts.count()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                name = team_delete(
                    owner=self.membership,
                    confirm_name=form.cleaned_data["confirm_name"],
                    password=form.cleaned_data["password"],
                    code=form.cleaned_data.get("code") or "",
                    request=request,
                )
            except LifecycleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(team)s was deleted with all its data.") % {"team": name})
                return _landing(request, self.user)
        return self.render_to_response(self.get_context_data(form=form), status=400)
