"""Who may hear and download call recordings: the owner's per-team roles and the per-member number limits.

The lowest roles live in ``Team.permission_overrides`` and are read by ``Membership.can`` (roles.role_has),
so the team's choice holds wherever ``listen_recordings`` or ``download_recordings`` is checked. The
per-member list (``Membership.recording_numbers``) is matched against a call's numbers by the telephony
app (telephony/recording_access.py), which knows what a call is.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .access import TeamView
from .audit import audit_record
from .models import Membership, Team, User
from .roles import RANK, Role, lowest_role

MAX_NUMBERS = 50
# An extension (``101``) or a number as people write it (``+90 532 123 45 67``, ``0212-555 01 23``).
_ENTRY = re.compile(r"^\+?[0-9][0-9 ().-]{0,30}$")


class RecordingAccessForm(forms.Form):
    listen_recordings = forms.ChoiceField(label=gettext_lazy("Lowest role that may listen"), choices=Role.choices)
    download_recordings = forms.ChoiceField(label=gettext_lazy("Lowest role that may download"), choices=Role.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        listen, download = data.get("listen_recordings"), data.get("download_recordings")
        if listen and download and RANK[Role(download)] < RANK[Role(listen)]:
            self.add_error("download_recordings", _("Downloading cannot be allowed to a lower role than listening."))
        return data


class MemberRecordingsForm(forms.Form):
    numbers = forms.CharField(
        label=gettext_lazy("Extensions or numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One per line or separated by commas. The member hears only recordings of calls from or to these. "
            "Leave empty for all calls."
        ),
    )

    def clean_numbers(self) -> list[str]:
        entries = [e.strip() for e in re.split(r"[,;\n]", self.cleaned_data.get("numbers") or "") if e.strip()]
        wrong = [e for e in entries if not _ENTRY.match(e)]
        if wrong:
            raise forms.ValidationError(
                _("Not an extension or a phone number: %(entries)s") % {"entries": ", ".join(wrong)}
            )
        if len(entries) > MAX_NUMBERS:
            raise forms.ValidationError(_("At most %(count)d entries.") % {"count": MAX_NUMBERS})
        return list(dict.fromkeys(entries))


def team_recording_access_update(
    *, team: Team, actor: User, listen: str, download: str, request: HttpRequest | None = None
) -> None:
    team.permission_overrides = {
        **team.permission_overrides,
        "listen_recordings": Role(listen).value,
        "download_recordings": Role(download).value,
    }
    team.save(update_fields=["permission_overrides"])
    audit_record(
        team=team, actor=actor, action="team.recording_access", target=team, request=request,
        listen_role=Role(listen).value, download_role=Role(download).value,
    )  # fmt: skip


def membership_recording_numbers_update(
    *, membership: Membership, actor: User, numbers: list[str], request: HttpRequest | None = None
) -> None:
    membership.recording_numbers = numbers
    membership.save(update_fields=["recording_numbers"])
    audit_record(
        team=membership.team, actor=actor, action="member.recording_numbers", target=membership.user,
        request=request, email=membership.user.email, numbers=numbers,
    )  # fmt: skip


class RecordingAccessView(TeamView, TemplateView):
    """The owner's choice: from which role up members may listen to and download recordings."""

    permission = "manage_recording_access"
    template_name = "accounts/recording_access.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        overrides = self.team.permission_overrides
        context.setdefault(
            "form",
            RecordingAccessForm(
                initial={
                    "listen_recordings": lowest_role("listen_recordings", overrides).value,
                    "download_recordings": lowest_role("download_recordings", overrides).value,
                }
            ),
        )
        context["limited_members"] = [
            m for m in self.team.memberships.select_related("user").order_by("user__email") if m.recording_numbers
        ]
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RecordingAccessForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        team_recording_access_update(
            team=self.team, actor=self.user, listen=form.cleaned_data["listen_recordings"],
            download=form.cleaned_data["download_recordings"], request=request,
        )  # fmt: skip
        messages.success(request, _("Recording access saved."))
        return redirect("team-recording-access")


class MemberRecordingsView(TeamView, TemplateView):
    """Limits one member to the recordings of calls from or to listed extensions or numbers."""

    permission = "manage_members"
    team_model = Membership
    template_name = "accounts/member_recordings.html"

    def editable(self, member: Membership) -> bool:
        """Nobody limits a member above their own role (the same rule as changing roles)."""
        return RANK[Role(member.role)] <= RANK[Role(self.membership.role)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        member = context.setdefault("member", self.get_team_object())
        context.setdefault("form", MemberRecordingsForm(initial={"numbers": "\n".join(member.recording_numbers)}))
        context["editable"] = self.editable(member)
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.get_team_object()
        if not self.editable(member):
            messages.error(request, _("You cannot change a member whose role is above your own."))
            return redirect("members")
        form = MemberRecordingsForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(member=member, form=form))
        membership_recording_numbers_update(
            membership=member, actor=self.user, numbers=form.cleaned_data["numbers"], request=request
        )
        messages.success(request, _("Recording limits of %(user)s saved.") % {"user": member.user})
        return redirect("members")
