"""Compose a fax: provider account, our number, recipients, files, quality, schedule."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ProviderAccount, Team
from accounts.provider_options import fax_options
from core import phones
from core.forms import choices_from_rows, choices_in_one_query, field_of

from . import documents as docs
from .gateways import CAPABILITIES
from .models import CoverTemplate, FaxContact, FaxContactGroup, Quality
from .services.address_book import names_by_number, recipients_from_book
from .services.cover import CoverChoice
from .services.drafts import Upload

MAX_RECIPIENTS = 50


def schedule_max_days() -> int:
    return max(1, int(getattr(settings, "FAX_SCHEDULE_MAX_DAYS", 365)))


def send_time(value: Any) -> Any:
    """A time to send (read in the team's zone, which the middleware activated): in the future, not too far."""
    if value is not None and value <= timezone.now():
        raise forms.ValidationError(_("Choose a time in the future."), code="past")
    days = schedule_max_days()
    if value is not None and value > timezone.now() + timedelta(days=days):
        raise forms.ValidationError(
            ngettext(
                "A fax can be scheduled at most %(days)d day ahead.",
                "A fax can be scheduled at most %(days)d days ahead.",
                days,
            )
            % {"days": days},
            code="too_far",
        )
    return value


class FaxScheduleForm(forms.Form):
    """A held fax's new send time."""

    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the team's time zone."),
        error_messages={"required": _("Give the time to send; to send now, cancel and send it again.")},
    )

    def clean_scheduled_at(self) -> Any:
        return send_time(self.cleaned_data.get("scheduled_at"))


_SPLIT = re.compile(r"[\n,;]+")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def fax_accounts(team: Team) -> list[ProviderAccount]:
    return [a for a in team.provider_accounts.filter(is_active=True).order_by("label") if a.kind in CAPABILITIES]


def account_numbers(account: ProviderAccount) -> list[str]:
    return list(fax_options(account).fax_numbers)


def parse_recipients(text: str) -> tuple[list[str], list[str]]:
    """(numbers as international digits, the entries that are not valid fax numbers)."""
    numbers: list[str] = []
    bad: list[str] = []
    for entry in (e.strip() for e in _SPLIT.split(text or "")):
        if not entry:
            continue
        try:
            number = phones.parse_international_digits(entry)
        except phones.PhoneNumberError:
            bad.append(entry)
            continue
        if number not in numbers:
            numbers.append(number)
    return numbers, bad


class ComposeForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Provider account"), queryset=ProviderAccount.objects.none())
    our_number = forms.ChoiceField(label=_("Our fax number"), choices=(), required=False)
    recipients = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "+90 212 555 01 23"}),
        help_text=_("One fax number per line (or separated by commas)."),
        required=False,
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("From the address book"),
        queryset=FaxContact.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    recipient_groups = forms.ModelMultipleChoiceField(
        label=_("Whole groups of the address book"),
        queryset=FaxContactGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cover = forms.ModelChoiceField(
        label=_("Cover page"),
        queryset=CoverTemplate.objects.none(),
        required=False,
        empty_label=_("No cover page"),
        help_text=_("Each recipient gets their own cover as page 1, shown on the preview."),
    )
    cover_subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    cover_note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The posted field is "files": the form's metaclass moves this into base_fields, so BaseForm.files (the
    # uploaded files) is not shadowed at run time, but the checker sees one attribute of two types.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Documents"),
        required=False,
        help_text=_("PDF, TIFF, PNG or JPEG; Word and Excel files only where the provider takes them."),
    )
    quality = forms.ChoiceField(label=_("Quality"), choices=Quality.choices, initial=Quality.FINE)
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to send now. Only some providers can schedule."),
    )

    def __init__(
        self,
        *args: Any,
        team: Team,
        kept_files: list[dict[str, Any]] | None = None,
        accounts: list[ProviderAccount] | None = None,
        **kwargs: Any,
    ) -> None:
        """``accounts``: the team's ``fax_accounts`` when the caller has read them already (the page does)."""
        super().__init__(*args, **kwargs)
        self.team = team
        self.kept_files = kept_files or []
        self.accounts = fax_accounts(team) if accounts is None else accounts
        choices_from_rows(
            field_of(self.fields, "account", forms.ModelChoiceField),
            team.provider_accounts.filter(pk__in=[a.pk for a in self.accounts]),
            sorted(self.accounts, key=lambda a: (a.kind, a.label)),  # the model's order, as the query gave them
        )
        choices_in_one_query(field_of(self.fields, "contacts", forms.ModelMultipleChoiceField), team.fax_contacts.all())
        choices_in_one_query(
            field_of(self.fields, "recipient_groups", forms.ModelMultipleChoiceField), team.fax_contact_groups.all()
        )
        choices_in_one_query(field_of(self.fields, "cover", forms.ModelChoiceField), team.fax_cover_templates.all())
        self.to_names: dict[str, str] = {}
        field_of(self.fields, "our_number", forms.ChoiceField).choices = [("", "—")] + [
            (account.label, [(n, n) for n in account_numbers(account)])
            for account in self.accounts
            if account_numbers(account)
        ]
        self.keep(self.kept_files)
        self.uploads: list[Upload] = []

    def keep(self, files: list[dict[str, Any]]) -> None:
        """Files already stored server-side: the form goes through without choosing them again."""
        self.kept_files = files
        if files:
            names = ", ".join(f["filename"] for f in files)
            help_text = _("Keeping %(names)s. Choose files only to replace them.") % {"names": names}
            self.fields["files"].help_text = help_text
            self["files"].help_text = help_text  # a bound field copies its help text when first made

    def clean_recipients(self) -> list[str]:
        numbers, bad = parse_recipients(self.cleaned_data["recipients"])
        if bad:
            raise forms.ValidationError(
                _("Not a valid fax number: %(numbers)s") % {"numbers": ", ".join(bad)}, code="invalid_number"
            )
        return numbers

    def _all_recipients(self, data: dict[str, Any]) -> None:
        """The typed numbers, then the address book's chosen contacts and groups, each number once."""
        if "recipients" not in data:  # a typed number was wrong: said on the field already
            return
        chosen = recipients_from_book(
            self.team, contacts=data.get("contacts") or [], groups=data.get("recipient_groups") or []
        )
        numbers = list(data["recipients"])
        numbers += [c.fax_number for c in chosen if c.fax_number not in numbers]
        if not numbers:
            self.add_error("recipients", _("Enter at least one fax number, or choose from the address book."))
        elif len(numbers) > MAX_RECIPIENTS:
            self.add_error("recipients", _("At most %(max)d recipients at once.") % {"max": MAX_RECIPIENTS})
        data["recipients"] = numbers
        self.to_names = names_by_number(self.team, numbers, chosen)

    def cover_choice(self, *, from_name: str) -> CoverChoice | None:
        """The cover page asked for (after ``is_valid``), None for none."""
        template = self.cleaned_data.get("cover")
        if template is None:
            return None
        return CoverChoice(
            template=template,
            subject=self.cleaned_data.get("cover_subject", ""),
            note=self.cleaned_data.get("cover_note", ""),
            from_name=from_name,
            to_names=self.to_names,
        )

    def clean_scheduled_at(self) -> Any:
        return send_time(self.cleaned_data.get("scheduled_at"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._all_recipients(data)
        account: ProviderAccount | None = data.get("account")
        if account is None:
            return data
        caps = CAPABILITIES[account.kind]
        number = data.get("our_number")
        if number and number not in account_numbers(account):
            self.add_error("our_number", _("This number does not belong to the chosen provider account."))
        elif not number and caps.needs_our_number:
            if account_numbers(account):
                self.add_error("our_number", _("Choose the number the fax goes out from."))
            else:
                self.add_error("our_number", _("This provider account has no fax number yet. Add one to its options."))
        if data.get("scheduled_at") and not caps.schedule:
            self.add_error("scheduled_at", _("This provider cannot schedule a fax; leave the time empty."))
        self._check_files(data.get("files") or [], caps)
        types = [u.media_type for u in self.uploads] or [f["media_type"] for f in self.kept_files]
        if data.get("cover") is not None and any(t in docs.OFFICE_TYPES for t in types):
            self.add_error("cover", str(docs.TEXTS["cover_with_office"]))
        return data

    def _check_files(self, files: list[UploadedFile], caps: Any) -> None:
        if not files:
            if not self.kept_files:
                self.add_error("files", _("Choose at least one document."))
            else:
                self._check_kept(caps)
            return
        if len(files) > caps.max_files:
            self.add_error("files", _("At most %(max)d documents at once.") % {"max": caps.max_files})
            return
        limit_mb = caps.max_file_bytes // (1024 * 1024)
        for upload in files:
            if upload.size and upload.size > caps.max_file_bytes:
                self.add_error(
                    "files",
                    _("%(name)s is larger than %(mb)d MB, this provider's limit.")
                    % {"name": upload.name, "mb": limit_mb},
                )
                continue
            content = upload.read()
            try:
                found = docs.inspect(content, accepted=sorted(caps.upload_types))
            except docs.DocumentError as exc:
                self.add_error("files", f"{upload.name}: {exc}")
                continue
            self.uploads.append(Upload(upload.name or "", content, found.media_type, found.pages))

    def _check_kept(self, caps: Any) -> None:
        for kept in self.kept_files:
            if kept["media_type"] not in caps.upload_types or (kept.get("size") or 0) > caps.max_file_bytes:
                self.add_error(
                    "files",
                    _("%(name)s cannot go through this provider; choose other files.") % {"name": kept["filename"]},
                )
