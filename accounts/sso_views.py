"""Single sign-on pages: the owner's settings, the sign-in name on the log-in page, the start and the callback."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from .access import TeamView
from .middleware import SESSION_KEY as CURRENT_TEAM_KEY
from .sso import (
    SignIn,
    active_connection,
    error_message,
    finish,
    redirect_uri_for,
    signed_in,
    sso_delete,
    sso_save,
    start,
)
from .sso_forms import SignInNameForm, StartForm, TeamSSOForm
from .sso_models import TeamSSO
from .sso_oidc import SSOError
from .two_factor import PROVIDER_MFA_SESSION_KEY, confirmed_device
from .two_factor_views import PENDING_KEY, _safe_next

BACKEND = "django.contrib.auth.backends.ModelBackend"


class TeamSSOView(TeamView, View):
    """The owner connects the team to its company's OpenID Connect provider."""

    permission = "manage_sso"
    template_name = "accounts/sso/settings.html"

    def _connection(self) -> TeamSSO | None:
        return TeamSSO.objects.filter(team=self.team).first()

    def _render(
        self, request: HttpRequest, form: TeamSSOForm, connection: TeamSSO | None, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "connection": connection, "redirect_uri": redirect_uri_for(request)}
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        connection = self._connection()
        return self._render(request, TeamSSOForm(team=self.team, connection=connection), connection)

    def post(self, request: HttpRequest) -> HttpResponse:
        connection = self._connection()
        form = TeamSSOForm(request.POST, team=self.team, connection=connection)
        if not form.is_valid():
            return self._render(request, form, connection, status=400)
        data = form.cleaned_data
        sso_save(
            team=self.team,
            actor=self.user,
            slug=data["slug"],
            display_name=data["display_name"],
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            allowed_domains=data["allowed_domains"],
            password_login_disabled=data["password_login_disabled"],
            provider_mfa_counts=data["provider_mfa_counts"],
            is_active=data["is_active"],
            request=request,
        )
        messages.success(request, _("Single sign-on settings saved."))
        return redirect("team-sso")


class TeamSSODeleteView(TeamView, View):
    permission = "manage_sso"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        sso_delete(team=self.team, actor=self.user, request=request)
        messages.success(request, _("Single sign-on removed; members log in with their passwords."))
        return redirect("team-sso")


@method_decorator([login_not_required, never_cache], name="dispatch")
class SignInNameView(View):
    """The log-in page's way to single sign-on for someone who has no team link: the team's sign-in name."""

    template_name = "accounts/sso/choose.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if "name" not in request.GET:
            return render(request, self.template_name, {"form": SignInNameForm()})
        form = SignInNameForm(request.GET)
        if form.is_valid():
            connection = active_connection(form.cleaned_data["name"].lower())
            if connection is not None:
                url = reverse("sso-start", args=[connection.slug])
                nxt = _safe_next(request, request.GET.get("next"))
                return redirect(f"{url}?{urlencode({'next': nxt})}" if nxt else url)
            form.add_error("name", _("No team signs in with this name. Check it with your team's owner."))
        return render(request, self.template_name, {"form": form}, status=404 if form.is_bound else 400)


@method_decorator([login_not_required, never_cache], name="dispatch")
class StartView(View):
    """ "Sign in with <provider>": a button (and an optional email the provider can pre-fill)."""

    template_name = "accounts/sso/start.html"

    def _connection(self, slug: str) -> TeamSSO:
        connection = active_connection(slug)
        if connection is None:
            raise Http404
        return connection

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        connection = self._connection(slug)
        context = {"connection": connection, "form": StartForm(), "next": _safe_next(request, request.GET.get("next"))}
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        connection = self._connection(slug)
        form = StartForm(request.POST)
        nxt = _safe_next(request, request.POST.get("next")) or ""
        if not form.is_valid():
            return render(
                request, self.template_name, {"connection": connection, "form": form, "next": nxt}, status=400
            )
        try:
            url = start(
                request=request,
                connection=connection,
                redirect_uri=redirect_uri_for(request),
                login_hint=form.cleaned_data["email"] or "",
                next_url=nxt,
            )
        except SSOError as error:
            form.add_error(None, error_message(error, connection_name=connection.display_name))
            return render(
                request, self.template_name, {"connection": connection, "form": form, "next": nxt}, status=502
            )
        return redirect(url)


@method_decorator([login_not_required, never_cache], name="dispatch")
class CallbackView(View):
    """Where the provider sends the person back (one address for every team)."""

    template_name = "accounts/sso/failed.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        params = {key: request.GET.get(key, "") for key in ("state", "code", "error", "iss")}
        try:
            sign_in = finish(request=request, params=params)
        except SSOError as error:
            status = 502 if error.key in {"unreachable", "refused", "discovery", "token"} else 400
            if error.key == "not_member":
                status = 403
            message = error_message(error, connection_name=error.connection_name)
            return render(request, self.template_name, {"message": message}, status=status)
        return self._sign_in(request, sign_in)

    def _sign_in(self, request: HttpRequest, sign_in: SignIn) -> HttpResponse:
        user = sign_in.user
        signed_in(sign_in=sign_in, request=request)
        nxt = _safe_next(request, sign_in.next_url) or settings.LOGIN_REDIRECT_URL
        if sign_in.created:
            messages.success(
                request,
                _("Welcome! You joined %(team)s as a viewer through %(provider)s.")
                % {"team": sign_in.team.name, "provider": sign_in.connection.display_name},
            )
        if not sign_in.mfa_counts and confirmed_device(user) is not None:
            # The provider's login is the first factor only: our code step comes next, as after a password.
            request.session[PENDING_KEY] = {"user": user.pk, "backend": BACKEND, "next": nxt, "at": time.time()}
            request.session[CURRENT_TEAM_KEY] = sign_in.team.pk
            return redirect("two-factor-verify")
        login(request, user, backend=BACKEND)
        request.session[CURRENT_TEAM_KEY] = sign_in.team.pk
        if sign_in.mfa_counts:
            request.session[PROVIDER_MFA_SESSION_KEY] = sign_in.team.pk
        return redirect(nxt)
