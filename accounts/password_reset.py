"""Password reset by email: Django's token views with the project's templates, throttled, and
answering the same way (and through the same steps) whether or not the address has an account.

The request only counts the attempt and queues a task; the task looks the address up and, for an
account, sends the link in that person's language. So the answer to a known and an unknown
address is the same page after the same work, and its timing says nothing either.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from .audit import audit_for_user
from .models import User
from .throttle import client_address, duration_in_words, login_unlock, within_limit

SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
BODY_TEMPLATE = "accounts/email/password_reset.txt"


class LocalizedPasswordResetForm(PasswordResetForm):
    """Django's form; each email is written in its reader's saved language (else the asker's)."""

    fallback_language: str = settings.LANGUAGE_CODE

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = args[2] if len(args) > 2 else kwargs["context"]
        user: User = context["user"]
        with override(user.language or self.fallback_language):
            context["valid_for"] = duration_in_words(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT))
            super().send_mail(*args, **kwargs)


def password_reset_email_send(*, email: str, domain: str, use_https: bool, language: str) -> None:
    """Sends a reset link to the active account with this address, if there is one (else nothing)."""
    form = LocalizedPasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    form.fallback_language = language
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=BODY_TEMPLATE,
    )


def reset_request_allowed(*, email: str, client: str | None) -> bool:
    """Both limits count every request, for an address with an account or not."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    by_email = within_limit(
        "password-reset-email",
        email.strip().lower(),
        limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
        window_seconds=window,
    )
    by_client = within_limit(
        "password-reset-client",
        client or "unknown",
        limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT,
        window_seconds=window,
    )
    return by_email and by_client


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        from .tasks import password_reset_email_task

        email = form.cleaned_data["email"]
        if not reset_request_allowed(email=email, client=client_address(self.request)):
            wait = duration_in_words(timedelta(seconds=settings.PASSWORD_RESET_WINDOW_SECONDS))
            form.add_error(None, _("Too many reset requests. Wait %(wait)s, then try again.") % {"wait": wait})
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        kwargs = {
            "email": email,
            "domain": self.request.get_host(),
            "use_https": self.request.is_secure(),
            "language": get_language() or settings.LANGUAGE_CODE,
        }
        transaction.on_commit(lambda: password_reset_email_task.delay(**kwargs))
        return super(auth_views.PasswordResetView, self).form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Sets the new password. No log-in here: the person logs in afterwards, second factor included.

    The new password changes the session hash, which ends every other session of the account.
    """

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        login_unlock(email=user.email)  # the owner of the mailbox may log in again from where they were locked
        audit_for_user(user=user, action="account.password_reset", request=self.request)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
