from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.export_kinds import background_redirect, job_params, too_large_to_stream
from core.exports import export_response, requested_format
from core.lists import paginate_table
from providers.errors import ProviderError

from . import audit_export
from .access import TeamView
from .audit import audit_for_user, audit_record
from .filters import AuditEventFilter
from .forms import (
    InvitationForm,
    MemberRoleForm,
    ProviderAccountForm,
    ProviderKindForm,
    SignUpForm,
    TeamForm,
    TeamSwitchForm,
)
from .middleware import SESSION_KEY
from .models import Invitation, Membership, ProviderAccount, User
from .provider_checks import provider_account_check, telsam_connect_complete
from .provider_clients import client_for
from .provider_errors import describe
from .provider_registry import is_known
from .provider_specs.telsam import TELSAM
from .requests import SignedInRequest
from .roles import RANK, Role, roles_below_or_equal
from .services import (
    ServiceError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_problem,
    invitation_revoke,
    membership_remove,
    membership_update_role,
    provider_account_delete,
    provider_account_has_history,
    provider_account_save,
    team_create,
    team_update,
)
from .tables import AuditEventTable
from .throttle import locked_out_emails, login_unlock


class TeamCreateView(View):
    """Any signed-in person may start a team, and becomes its owner."""

    template_name = "accounts/team_create.html"

    def get(self, request: SignedInRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TeamForm()})

    def post(self, request: SignedInRequest) -> HttpResponse:
        form = TeamForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        team = team_create(
            name=form.cleaned_data["name"],
            owner=request.user,
            time_zone=form.cleaned_data["time_zone"],
            request=request,
        )
        request.session[SESSION_KEY] = team.pk
        messages.success(request, _("Team %(name)s created.") % {"name": team.name})
        return redirect("dashboard")


class TeamSwitchView(View):
    http_method_names = ["post"]

    def post(self, request: SignedInRequest) -> HttpResponse:
        form = TeamSwitchForm(request.POST)
        if form.is_valid():
            membership = get_object_or_404(
                Membership.objects.select_related("team"), user=request.user, team_id=form.cleaned_data["team"]
            )
            request.session[SESSION_KEY] = membership.team_id
            messages.info(request, _("You are now working in %(team)s.") % {"team": membership.team.name})
        return redirect("dashboard")


class TeamSettingsView(TeamView, TemplateView):
    template_name = "accounts/team_settings.html"
    permissions_by_method = {"POST": "manage_members"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", TeamForm(instance=self.team))
        context["members"] = self.team.memberships.select_related("user").order_by("user__email")
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TeamForm(request.POST, instance=self.team)
        if not form.is_valid():
            self.team.refresh_from_db()
            return self.render_to_response(self.get_context_data(form=form))
        team_update(
            team=self.team,
            actor=self.user,
            name=form.cleaned_data["name"],
            time_zone=form.cleaned_data["time_zone"],
            notification_email=form.cleaned_data["notification_email"],
            request=request,
        )
        messages.success(request, _("Team settings saved."))
        return redirect("team-settings")


class MembersView(TeamView, TemplateView):
    template_name = "accounts/members.html"
    permission = "manage_members"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("invite_form", InvitationForm(grantor_role=self.membership.role))
        context["members"] = self.team.memberships.select_related("user").order_by("user__email")
        context["invitations"] = self.team.invitations.pending().select_related("invited_by")
        # Offer only what the server allows: roles up to one's own, and no change to anyone above.
        context["grantable_roles"] = [(r.value, r.label) for r in roles_below_or_equal(self.membership.role)]
        own_rank = RANK[Role(self.membership.role)]
        members = list(context["members"])
        locked = locked_out_emails(m.user.email for m in members)
        for m in members:
            m.manageable = m.user_id != self.request.user.pk and RANK[Role(m.role)] <= own_rank
            m.locked_out = m.user.email.lower() in locked
        context["members"] = members
        return context


class InviteView(MembersView):
    http_method_names = ["get", "post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InvitationForm(request.POST, grantor_role=self.membership.role)
        if form.is_valid():
            try:
                invitation, _token = invitation_create(
                    team=self.team,
                    actor_membership=self.membership,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    request=request,
                )
            except ServiceError as exc:
                form.add_error("email", str(exc))
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("members")
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class MemberRoleView(TeamView, View):
    permission = "manage_members"
    team_model = Membership
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.get_team_object()
        form = MemberRoleForm(request.POST)
        if form.is_valid():
            try:
                membership_update_role(
                    membership=membership,
                    role=form.cleaned_data["role"],
                    actor_membership=self.membership,
                    request=request,
                )
                messages.success(request, _("Role of %(user)s changed.") % {"user": membership.user})
            except ServiceError as exc:
                messages.error(request, str(exc))
        else:
            messages.error(request, _("Choose a valid role."))
        return redirect("members")


class MemberRemoveView(TeamView, View):
    permission = "manage_members"
    team_model = Membership
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.get_team_object()
        try:
            membership_remove(membership=membership, actor_membership=self.membership, request=request)
            messages.success(request, _("%(user)s was removed from the team.") % {"user": membership.user})
        except ServiceError as exc:
            messages.error(request, str(exc))
        return redirect("members")


class MemberUnlockView(TeamView, View):
    """Lets a member who typed too many wrong passwords log in again before the wait is over."""

    permission = "manage_members"
    team_model = Membership
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.get_team_object()
        cleared = login_unlock(email=membership.user.email)
        audit_record(team=self.team, actor=self.user, action="member.unlock", target=membership, request=request)
        if cleared:
            messages.success(request, _("%(user)s can log in again.") % {"user": membership.user})
        else:
            messages.info(request, _("%(user)s was not locked out.") % {"user": membership.user})
        return redirect("members")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any signed-in person changes their password by giving the current one; the session stays."""

    template_name = "registration/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("security")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        audit_for_user(user=form.user, action="account.password_change", request=self.request)
        messages.success(self.request, _("Your password was changed."))
        return response


class InvitationRevokeView(TeamView, View):
    permission = "manage_members"
    team_model = Invitation
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = self.get_team_object()
        invitation_revoke(invitation=invitation, actor=self.user, request=request)
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
        return redirect("members")


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(View):
    """The emailed link: join as the signed-in user, or create an account first."""

    template_name = "accounts/invitation_accept.html"

    def _context(self, invitation: Invitation | None, **extra: Any) -> dict[str, Any]:
        return {"invitation": invitation, "problem": invitation_problem(invitation), **extra}

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitation_for_token(token)
        context = self._context(invitation)
        if context["problem"]:
            return render(request, self.template_name, context, status=410 if invitation else 404)
        assert invitation is not None
        if not request.user.is_authenticated and not User.objects.filter(email__iexact=invitation.email).exists():
            context["signup_form"] = SignUpForm(email=invitation.email)
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitation_for_token(token)
        context = self._context(invitation)
        if context["problem"] or invitation is None:
            return render(request, self.template_name, context, status=410 if invitation else 404)
        user = request.user if request.user.is_authenticated else None
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                return redirect(f"{reverse('login')}?next={request.path}")
            form = SignUpForm(request.POST, email=invitation.email)
            if not form.is_valid():
                return render(request, self.template_name, {**context, "signup_form": form}, status=400)
            with transaction.atomic():
                user = User.objects.create_user(
                    invitation.email, form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"]
                )
                membership = invitation_accept(invitation=invitation, user=user, request=request)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        else:
            try:
                membership = invitation_accept(invitation=invitation, user=user, request=request)
            except ServiceError as exc:
                return render(request, self.template_name, {**context, "problem": str(exc)}, status=403)
        request.session[SESSION_KEY] = membership.team_id
        messages.success(request, _("Welcome to %(team)s.") % {"team": membership.team.name})
        return redirect("dashboard")


class ProviderAccountListView(TeamView, TemplateView):
    template_name = "accounts/provider_list.html"
    permission = "manage_providers"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["accounts"] = self.team.provider_accounts.order_by("kind", "label")
        context["kind_form"] = ProviderKindForm()
        context["connect_kinds"] = {TELSAM.kind}  # authorized in the browser (OAuth2 authorization code): Connect
        return context


class ProviderAccountFormView(TeamView, View):
    """Create (``kind`` in the URL) or edit (``pk`` in the URL) a provider account."""

    template_name = "accounts/provider_form.html"
    permission = "manage_providers"
    team_model = ProviderAccount

    def _account(self) -> ProviderAccount | None:
        return self.get_team_object() if "pk" in self.kwargs else None

    def _kind(self, account: ProviderAccount | None) -> str:
        if account is not None:
            return account.kind
        kind = self.kwargs.get("kind") or self.request.GET.get("kind", "")
        if not is_known(kind):
            raise Http404
        return kind

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        account = self._account()
        form = ProviderAccountForm(kind=self._kind(account), team=self.team, account=account)
        return render(request, self.template_name, {"form": form, "account": account})

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        account = self._account()
        kind = self._kind(account)
        form = ProviderAccountForm(request.POST, kind=kind, team=self.team, account=account)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "account": account}, status=400)
        try:
            account = provider_account_save(
                team=self.team,
                actor=self.user,
                kind=kind,
                label=form.cleaned_data["label"],
                credentials=form.credentials(),
                options=form.options(),
                base_url=form.cleaned_data["base_url"],
                is_active=form.cleaned_data["is_active"],
                account=account,
                request=request,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
            return render(request, self.template_name, {"form": form, "account": account}, status=400)
        messages.success(request, _("Provider account %(label)s saved.") % {"label": account.label})
        return redirect("provider-list")


class ProviderAccountDeleteView(TeamView, View):
    template_name = "accounts/provider_delete.html"
    permission = "manage_providers"
    team_model = ProviderAccount

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = self.get_team_object()
        return render(
            request, self.template_name, {"account": account, "history": provider_account_has_history(account)}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """An account with call records or SMS batches is switched off with its secrets erased, never deleted:
        deleting it would delete its call records with it (and its SMS batches refuse it)."""
        account = self.get_team_object()
        if provider_account_delete(account=account, actor=self.user, request=request):
            messages.success(request, _("Provider account %(label)s deleted.") % {"label": account.label})
        else:
            messages.success(
                request,
                _("Provider account %(label)s is switched off and its credentials are erased; its records stay.")
                % {"label": account.label},
            )
        return redirect("provider-list")


AUDIT_TEMPLATE = "accounts/audit.html"


class AuditFilterMixin(TeamView):
    permission = "view_audit"

    def filtered(self) -> AuditEventFilter:
        return AuditEventFilter(self.request.GET or None, queryset=self.team.audit_events.all())

    def audit_context(self, filterset: AuditEventFilter) -> dict[str, Any]:
        table = AuditEventTable(filterset.qs)
        paginate_table(self.request, table, per_page=50)
        return {"view": self, "filter": filterset, "table": table}


class AuditLogView(AuditFilterMixin, TemplateView):
    template_name = AUDIT_TEMPLATE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.audit_context(self.filtered()))
        return context


class AuditExportView(AuditFilterMixin, View):
    """The filtered audit log as CSV (the default) or XLSX, streamed; times in the team's zone, details as JSON."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        filterset = self.filtered()
        if filterset.is_bound and not filterset.is_valid():  # the log's page, with the filter's errors
            return TemplateResponse(request, AUDIT_TEMPLATE, self.audit_context(filterset), status=400)
        file_format = requested_format(request.GET, default="csv")
        if too_large_to_stream(filterset.qs):  # audited when its confirmation's Start records the job, if it does
            return background_redirect(audit_export.AUDIT_LOG.name, file_format, job_params(request.GET))
        audit_record(team=self.team, actor=self.user, action="audit.export", request=request)
        stamp = timezone.localtime(timezone.now(), self.team.tzinfo).strftime("%Y%m%d-%H%M")
        return export_response(
            file_format=file_format,
            filename=f"audit-{stamp}",
            headers=audit_export.audit_headers(),
            rows=audit_export.audit_rows(filterset.qs),
            zone=self.team.tzinfo,
            sheet_name=_("Audit log"),
        )


class ProviderAccountTestView(TeamView, View):
    """Test connection: one harmless call, its outcome stored on the account."""

    permission = "manage_providers"
    team_model = ProviderAccount
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = self.get_team_object()
        result = provider_account_check(account=account, actor=self.user, request=request)
        level = messages.success if result.ok else messages.error
        level(request, f"{account.label}: {result.message}")
        return redirect("provider-list")


TELSAM_STATE_KEY = "telsam_oauth_states"


class TelsamConnectView(TeamView, View):
    """Sends the admin to Telsam's authorize page (OAuth2 authorization-code grant)."""

    permission = "manage_providers"
    team_model = ProviderAccount
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        account = self.get_team_object()
        if not TELSAM.owns(account):
            messages.error(request, _("Only Telsam accounts are connected this way."))
            return redirect("provider-list")
        state = secrets.token_urlsafe(24)
        states = request.session.get(TELSAM_STATE_KEY, {})
        states[state] = account.pk
        request.session[TELSAM_STATE_KEY] = dict(list(states.items())[-5:])
        client = client_for(account, TELSAM, redirect_uri=request.build_absolute_uri(reverse("telsam-callback")))
        try:
            return redirect(client.authorize_url(state=state))
        except ProviderError as exc:  # an address or setting we refuse: say so instead of going there
            messages.error(request, f"{account.label}: {describe(exc)}")
            return redirect("provider-list")


class TelsamCallbackView(TeamView, View):
    """Where Telsam sends the admin back: trades the code for a token, kept encrypted on the account."""

    permission = "manage_providers"

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        account_pk = request.session.get(TELSAM_STATE_KEY, {}).pop(state, None)
        request.session.modified = True
        if account_pk is None:
            messages.error(request, _("The authorization answer did not match a Connect request. Try Connect again."))
            return redirect("provider-list")
        account = self.get_team_object(pk=account_pk, model=ProviderAccount)
        if request.GET.get("error") or not request.GET.get("code"):
            messages.error(
                request, _("Telsam did not grant access: %(error)s") % {"error": request.GET.get("error", "?")}
            )
            return redirect("provider-list")
        result = telsam_connect_complete(
            account=account,
            code=request.GET["code"],
            redirect_uri=request.build_absolute_uri(reverse("telsam-callback")),
            actor=self.user,
            request=request,
        )
        if result.ok:
            messages.success(request, result.message)
        else:
            messages.error(request, f"{account.label}: {result.message}")
        return redirect("provider-list")
