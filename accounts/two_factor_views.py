"""Two-factor login: the log-in's second step, the Security page, and the team's requirement."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from .access import TeamView
from .forms import EmailAuthenticationForm
from .models import User
from .requests import SignedInRequest
from .two_factor import (
    PENDING_LOGIN_SESSION_KEY,
    TwoFactorError,
    confirmed_device,
    manual_key,
    pending_device,
    qr_svg,
    recovery_codes_generate,
    recovery_codes_left,
    team_require_two_factor,
    two_factor_disable,
    two_factor_enable,
    two_factor_verify,
)
from .two_factor_forms import CodeForm, TeamTwoFactorForm

PENDING_KEY = PENDING_LOGIN_SESSION_KEY
NEW_CODES_KEY = "two_factor_new_codes"


def _safe_next(request: HttpRequest, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return None


def _locked_message(locked_until: Any) -> str:
    seconds = max(1, int((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    return _("Too many wrong codes. Wait %(seconds)s seconds, then try again.") % {"seconds": seconds}


class TwoFactorLoginView(auth_views.LoginView):
    """The password step. Someone with two-factor login is not logged in yet: the code comes first."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return redirect("two-factor-verify")


@method_decorator([login_not_required, never_cache, sensitive_post_parameters("code")], name="dispatch")
class TwoFactorVerifyView(View):
    """The log-in's second step: a code from the app, or a recovery code."""

    template_name = "accounts/two_factor/verify.html"

    def _pending_user(self, request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
        pending = request.session.get(PENDING_KEY) or {}
        if not pending or time.time() - pending.get("at", 0) > settings.TWO_FACTOR_PENDING_SECONDS:
            return None, {}
        return User.objects.filter(pk=pending["user"], is_active=True).first(), pending

    def _expired(self, request: HttpRequest) -> HttpResponse:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Log in again: the time for entering the code ran out."))
        return redirect("login")

    def get(self, request: HttpRequest) -> HttpResponse:
        user, _pending = self._pending_user(request)
        if user is None:
            return self._expired(request) if request.session.get(PENDING_KEY) else redirect("login")
        return render(request, self.template_name, {"form": CodeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        user, pending = self._pending_user(request)
        if user is None:
            return self._expired(request)
        form = CodeForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        result = two_factor_verify(user=user, code=form.cleaned_data["code"], request=request)
        if not result.ok:
            if result.locked_until is not None:
                form.add_error("code", _locked_message(result.locked_until))
                return render(request, self.template_name, {"form": form}, status=429)
            form.add_error("code", _("This code is not right, or it was already used."))
            return render(request, self.template_name, {"form": form}, status=400)
        del request.session[PENDING_KEY]
        user.otp_device = result.device  # django-otp marks the session verified
        login(request, user, backend=pending["backend"])
        if result.used_recovery_code:
            left = recovery_codes_left(user)
            messages.warning(
                request,
                _("You used a recovery code; %(left)s are left. Make new ones on the Security page if you run low.")
                % {"left": left},
            )
        return redirect(_safe_next(request, pending.get("next")) or settings.LOGIN_REDIRECT_URL)


class SecurityView(View):
    """Any signed-in person's two-factor settings (not a team page: it works without a team)."""

    template_name = "accounts/two_factor/security.html"

    def get(self, request: SignedInRequest) -> HttpResponse:
        device = confirmed_device(request.user)
        return render(
            request,
            self.template_name,
            {
                "enabled": device is not None,
                "new_codes": request.session.pop(NEW_CODES_KEY, None),
                "codes_left": recovery_codes_left(request.user) if device else 0,
                "next": _safe_next(request, request.GET.get("next")),
                "regen_form": CodeForm(auto_id="regen_%s"),
                "disable_form": CodeForm(auto_id="disable_%s"),
            },
        )


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
class TwoFactorSetupView(View):
    """QR code and manual key, then a first code to prove the app has it."""

    template_name = "accounts/two_factor/setup.html"

    def _render(self, request: SignedInRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        device = pending_device(user=request.user)
        context = {
            "form": form,
            "qr_svg": qr_svg(device),
            "manual_key": manual_key(device),
            "next": _safe_next(request, request.GET.get("next")),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: SignedInRequest) -> HttpResponse:
        if confirmed_device(request.user) is not None:
            return redirect("security")
        return self._render(request, CodeForm(recovery_allowed=False))

    def post(self, request: SignedInRequest) -> HttpResponse:
        if confirmed_device(request.user) is not None:
            return redirect("security")
        form = CodeForm(request.POST, recovery_allowed=False)
        if not form.is_valid():
            return self._render(request, form, status=400)
        device = pending_device(user=request.user)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _locked_message((info or {}).get("locked_until")))
            return self._render(request, form, status=429)
        try:
            codes = two_factor_enable(
                user=request.user,
                device=device,
                code=form.cleaned_data["code"],
                request=request,
            )
        except ValueError:
            form.add_error("code", _("This code is not right. Check the time on your phone and try the newest code."))
            return self._render(request, form, status=400)
        device.refresh_from_db()
        otp_login(request, device)
        request.session[NEW_CODES_KEY] = codes
        messages.success(request, _("Two-factor login is on."))
        nxt = _safe_next(request, request.GET.get("next"))
        return redirect(f"{reverse('security')}?{urlencode({'next': nxt})}" if nxt else "security")


@method_decorator(sensitive_post_parameters("code"), name="dispatch")
class _CodeProtectedAction(View):
    """Changes that need a current code, so a borrowed session cannot weaken the account."""

    http_method_names = ["post"]

    def post(self, request: SignedInRequest) -> HttpResponse:
        user = request.user
        if confirmed_device(user) is None:
            return redirect("security")
        form = CodeForm(request.POST)
        if form.is_valid():
            result = two_factor_verify(user=user, code=form.cleaned_data["code"], request=request)
            if result.ok:
                return self.act(request, user)
            if result.locked_until is not None:
                messages.error(request, _locked_message(result.locked_until))
            else:
                messages.error(request, _("This code is not right, or it was already used."))
        else:
            messages.error(request, _("Enter a code from your authenticator app or a recovery code."))
        return redirect("security")

    def act(self, request: SignedInRequest, user: User) -> HttpResponse:
        raise NotImplementedError


class TwoFactorDisableView(_CodeProtectedAction):
    def act(self, request: HttpRequest, user: User) -> HttpResponse:
        two_factor_disable(user=user, request=request)
        messages.success(request, _("Two-factor login is off."))
        return redirect("security")


class RecoveryCodesView(_CodeProtectedAction):
    def act(self, request: HttpRequest, user: User) -> HttpResponse:
        request.session[NEW_CODES_KEY] = recovery_codes_generate(user=user, request=request)
        messages.success(request, _("New recovery codes made; the old ones no longer work."))
        return redirect("security")


class TeamTwoFactorView(TeamView, View):
    """The owner's switch: every member must use two-factor login."""

    permission = "require_two_factor"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TeamTwoFactorForm(request.POST)
        form.is_valid()
        required = bool(form.cleaned_data.get("require_two_factor"))
        try:
            team_require_two_factor(team=self.team, actor=self.user, required=required, request=request)
        except TwoFactorError as exc:
            messages.error(request, str(exc))
        else:
            if required:
                messages.success(request, _("Two-factor login is now required for every member of this team."))
            else:
                messages.success(request, _("Two-factor login is now optional for this team."))
        return redirect("team-settings")
