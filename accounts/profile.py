"""A person's own profile: name, language, and an email change that takes effect only once the
link sent to the new address is followed (a signed token that expires and works once)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _
from django.views import View

from .audit import audit_for_user
from .models import User
from .requests import SignedInRequest
from .throttle import duration_in_words

EMAIL_CHANGE_SALT = "accounts.email-change"


class ProfileForm(forms.ModelForm):
    new_email = forms.EmailField(
        label=gettext_lazy("New email address"),
        required=False,
        help_text=gettext_lazy("We send a link to the new address; the change takes effect when it is followed."),
    )

    class Meta:
        model = User
        fields = ("full_name", "language")

    def clean_new_email(self) -> str:
        email = (self.cleaned_data.get("new_email") or "").strip().lower()
        if email and email == self.instance.email.lower():
            raise forms.ValidationError(_("This is already your email address."))
        return email


def email_change_token(*, user: User, new_email: str) -> str:
    return signing.dumps({"user": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)


def _send(*, to: str, user: User, subject: str, template: str, context: dict[str, Any]) -> None:
    with override(user.language or get_language() or settings.LANGUAGE_CODE):
        message = render_to_string(template, {**context, "user": user})
        subject_text = str(subject)
    transaction.on_commit(lambda: send_mail(subject_text, message, None, [to]))


def email_change_request(*, user: User, new_email: str, request: HttpRequest) -> None:
    """Mails a confirmation link to ``new_email``; nothing changes until it is followed.

    Whether the address already belongs to someone is only checked when the link is followed,
    so the page says nothing about other people's addresses.
    """
    token = email_change_token(user=user, new_email=new_email)
    link = request.build_absolute_uri(reverse("email-change-confirm", kwargs={"token": token}))
    with override(user.language or get_language() or settings.LANGUAGE_CODE):
        subject = _("Confirm your new Telcoportal email address")
        valid_for = duration_in_words(settings.EMAIL_CHANGE_TIMEOUT)
    _send(
        to=new_email,
        user=user,
        subject=subject,
        template="accounts/email/email_change.txt",
        context={"link": link, "new_email": new_email, "valid_for": valid_for},
    )
    audit_for_user(user=user, action="account.email_change_request", request=request, email=new_email)


class EmailChangeError(Exception):
    pass


@transaction.atomic
def email_change_confirm(*, user: User, token: str, request: HttpRequest) -> str:
    """Applies the change the token carries; returns the new address. Raises EmailChangeError."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
    except signing.SignatureExpired as error:
        raise EmailChangeError(_("This link has expired. Nothing was changed; ask for a new one.")) from error
    except signing.BadSignature as error:
        raise EmailChangeError(_("This link is not valid. Nothing was changed.")) from error
    if data.get("user") != user.pk:
        raise EmailChangeError(_("This link is for another account. Nothing was changed."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email != data.get("old"):
        raise EmailChangeError(_("This link was already used, or the address changed since. Nothing was changed."))
    new_email = str(data["new"])
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise EmailChangeError(_("This address belongs to another account. Nothing was changed."))
    old_email = user.email
    user.email = new_email
    user.save(update_fields=["email"])
    with override(user.language or get_language() or settings.LANGUAGE_CODE):
        subject = _("Your Telcoportal email address was changed")
    _send(
        to=old_email,
        user=user,
        subject=subject,
        template="accounts/email/email_changed.txt",
        context={"old_email": old_email, "new_email": new_email},
    )
    audit_for_user(user=user, action="account.email_change", request=request, old_email=old_email, email=new_email)
    return new_email


class ProfileView(View):
    """Any signed-in person's own profile (not a team page: it works without a team)."""

    template_name = "accounts/profile.html"

    def get(self, request: SignedInRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": ProfileForm(instance=request.user)})

    def post(self, request: SignedInRequest) -> HttpResponse:
        user = request.user
        form = ProfileForm(request.POST, instance=user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        changed = [name for name in form.changed_data if name in ProfileForm.Meta.fields]
        if changed:
            form.save()
            audit_for_user(user=user, action="account.profile_update", request=request, fields=changed)
        new_email = form.cleaned_data["new_email"]
        if new_email:
            email_change_request(user=user, new_email=new_email, request=request)
            messages.info(
                request,
                _("We sent a link to %(email)s. Your address changes when you follow it.") % {"email": new_email},
            )
        elif changed:
            messages.success(request, _("Profile saved."))
        response = redirect("profile")
        if "language" in changed and user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
            )
        return response


class EmailChangeConfirmView(View):
    """The link from the email: signed in as the same person, it applies the change."""

    def get(self, request: SignedInRequest, token: str) -> HttpResponse:
        return render(request, "accounts/email_change_confirm.html", {"token": token})

    def post(self, request: SignedInRequest, token: str) -> HttpResponse:
        try:
            new_email = email_change_confirm(user=request.user, token=token, request=request)
        except EmailChangeError as error:
            messages.error(request, str(error))
            return redirect("profile")
        messages.success(request, _("Your email address is now %(email)s.") % {"email": new_email})
        return redirect("profile")
