from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ProviderAccount, Team, User
from core.forms import choices_from_rows, choices_in_one_query, field_of
from core.phones import PhoneNumberError

from . import balance, encoding, uploads
from .imports import FileError, upload_limit_mb
from .models import Contact, ContactGroup, OptOut, SmsBatch, SmsTemplate
from .numbers import parse_number
from .recipients import ParsedFile, Prepared, parse_file, placeholders, prepare_recipients
from .services import limits, scheduled
from .services.create import BatchRequest
from .services.errors import SmsError
from .services.plan import Plan, sms_plan


def send_time(value: datetime | None, team: Team) -> datetime | None:
    """A time to send typed in the team's time zone: aware, in the future and not too far ahead."""
    if value is None:
        return None
    if timezone.is_naive(value):
        # Bounded before the zone is applied: 9999-12-31 would overflow on the way to UTC.
        latest = timezone.localtime(limits.sms_schedule_limit(), team.tzinfo).replace(tzinfo=None)
        if value > latest:
            raise forms.ValidationError(limits.too_far_ahead())
        value = timezone.make_aware(value, team.tzinfo)
    if value > limits.sms_schedule_limit():
        raise forms.ValidationError(limits.too_far_ahead())
    if value <= timezone.now():
        raise forms.ValidationError(_("The time to send is in the past."))
    return value


SEND_AT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ComposeForm(forms.Form):
    data: QueryDict | dict[str, Any]  # request.POST (a dict in tests), copied to carry a kept file into the next try

    account = forms.ModelChoiceField(label=_("Account"), queryset=ProviderAccount.objects.none(), empty_label=None)
    sender = forms.ChoiceField(label=_("Sender id"), choices=())
    recipients = forms.CharField(
        label=_("Numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "0532 123 45 67, +49 151 1234 5678"}),
        help_text=_("Separated by commas or new lines. Turkish numbers need no country code."),
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Contact groups"),
        queryset=ContactGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    upload = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_(
            "CSV (UTF-8 or Windows-1254) or XLSX; a “phone” column, other columns become placeholders like {name}."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Placeholders such as {name} make a personal text for each recipient."),
        error_messages={"required": _("Write the text of the message.")},
    )
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=SEND_AT_WIDGET,
        help_text=_("In the team's time zone. Empty: now."),
    )
    period = forms.IntegerField(
        label=_("Validity (minutes)"),
        required=False,
        min_value=1,
        max_value=1440,
        help_text=_("1 to 1440 minutes; the provider's default is 1440."),
    )
    upload_token = forms.CharField(required=False, widget=forms.HiddenInput)
    submission_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)
    upload_forget = forms.BooleanField(label=_("Forget this file"), required=False)
    flash = forms.BooleanField(label=_("Flash SMS (shown at once, not stored)"), required=False)
    confirm = forms.BooleanField(label=_("Yes, send it"), required=False)
    review_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        accounts = limits.pasifik_sms_accounts(team).filter(is_active=True)
        self.accounts: list[ProviderAccount] = list(accounts)  # read once: the select, the senders, the page's cards
        choices_from_rows(field_of(self.fields, "account", forms.ModelChoiceField), accounts, self.accounts)
        choices_in_one_query(field_of(self.fields, "groups", forms.ModelMultipleChoiceField), team.contact_groups.all())
        senders = sorted({s for a in self.accounts for s in limits.sender_ids(a)})
        field_of(self.fields, "sender", forms.ChoiceField).choices = [(s, s) for s in senders]
        self.prepared: Prepared | None = None
        self.plan: Plan | None = None
        self.needs_confirmation: list[str] = []
        self.balance: balance.Balance | None = None
        self.kept_upload = ""  # "<id>/<name>" of the file kept for the next try
        self._file_error = ""
        self._fingerprint: str | None = None

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > settings.UPLOAD_MAX_BYTES:  # before anything reads it
            raise forms.ValidationError(str(FileError("too_big", limit=upload_limit_mb())))
        return upload

    def clean_scheduled_at(self) -> datetime | None:
        return send_time(self.cleaned_data.get("scheduled_at"), self.team)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        account: ProviderAccount | None = data.get("account")
        sender = data.get("sender")
        if account is not None and sender and sender not in limits.sender_ids(account):
            self.add_error("sender", _("This sender id is not allowed for the chosen account."))
        if sender and not 3 <= len(sender) <= 11:
            self.add_error("sender", _("A sender id has 3 to 11 characters."))
        prepared = prepare_recipients(
            team=self.team,
            typed=data.get("recipients") or "",
            groups=data.get("groups") or [],
            parsed=self._upload(data),
        )
        if self._file_error:
            prepared.file_error = self._file_error
        self.prepared = prepared
        if prepared.file_error:
            self.add_error("upload", prepared.file_error)
        for source, error in prepared.errors:
            self.add_error(source, error)
        if prepared.error_count > len(prepared.errors):
            more = prepared.error_count - len(prepared.errors)
            self.add_error(prepared.errors[-1][0], ngettext("…and %d more.", "…and %d more.", more) % more)
        if not prepared.recipients and prepared.skipped and not prepared.error_count:
            # Every row of the file (or contact of the groups) is unusable: each is an error now.
            for source, error in prepared.skipped:
                self.add_error(source, error)
        elif not prepared.recipients and not prepared.error_count and not prepared.file_error:
            if prepared.opt_outs:
                self.add_error(
                    "recipients",
                    ngettext(
                        "The number given has opted out of our messages: there is no one to send to.",
                        "All %(count)d numbers given have opted out of our messages: there is no one to send to.",
                        prepared.opt_outs,
                    )
                    % {"count": prepared.opt_outs},
                )
            else:
                self.add_error("recipients", _("Give at least one number, a contact group or a file."))
        text = data.get("text") or ""
        unknown = [p for p in placeholders(text) if p not in prepared.fields]
        if unknown:
            self.add_error(
                "text",
                _("Unknown placeholder: %(names)s. Known: %(known)s.")
                % {
                    "names": ", ".join(f"{{{p}}}" for p in unknown),
                    "known": ", ".join(f"{{{f}}}" for f in sorted(prepared.fields)),
                },
            )
        if data.get("flash") and text and not encoding.fits(text, encoding.DEFAULT):
            self.add_error("flash", _("A flash SMS carries only GSM characters; replace the highlighted ones."))
        if self.errors or account is None:
            return data
        reserve = limits.operator_reserve(account)
        self.plan = self._reviewed_plan(reserve) or sms_plan(
            text=text, recipients=prepared.recipients, reserve=reserve, flash=bool(data.get("flash"))
        )
        limit = limits.sms_max_parts(account)
        if self.plan.parts > limit:
            self.add_error("text", limits.too_many_parts(parts=self.plan.parts, limit=limit))
            return data
        self._ask_confirmation(account, prepared)
        return data

    def _upload(self, data: dict[str, Any]) -> ParsedFile | None:
        """The file just chosen, else the one kept from the last try (unless the user let it go), read once:
        a kept file comes back as it was read then (``uploads.load_parsed``), not read again."""
        upload = data.get("upload")
        token = data.get("upload_token") or ""
        if upload or data.get("upload_forget"):
            uploads.drop(team=self.team, token=token)
            token = ""
        parsed: ParsedFile | None = None
        found: tuple[str, bytes] | None = None
        if upload:
            found = (upload.name, upload.read())
            token = uploads.stash(team=self.team, name=upload.name, data=found[1])
        elif token:
            parsed = uploads.load_parsed(team=self.team, token=token)
            found = None if parsed else uploads.load(team=self.team, token=token)
            token = token if parsed or found else ""
        if found:
            try:
                parsed = parse_file(*found)
            except FileError as exc:
                self._file_error = str(exc)
            else:
                uploads.stash_parsed(team=self.team, token=token, parsed=parsed)
        self.kept_upload = token
        self.data = self.data.copy()  # the hidden field carries the kept file into the next try
        self.data["upload_token"] = token
        return parsed

    def _reviewed_plan(self, reserve: int) -> Plan | None:
        """The Confirm of the review it answers takes the plan that review counted."""
        review_key = self.cleaned_data.get("review_key") or ""
        if not (review_key and self.kept_upload and self.review_confirmed):
            return None
        return uploads.load_plan(team=self.team, token=self.kept_upload, review_key=review_key, reserve=reserve)

    def stash_review(self, review_key: str) -> None:
        """Keeps what the review counted beside the kept file, for its Confirm."""
        if self.kept_upload and self.plan is not None:
            reserve = limits.operator_reserve(self.cleaned_data["account"])
            uploads.stash_plan(
                team=self.team, token=self.kept_upload, review_key=review_key, reserve=reserve, plan=self.plan
            )

    def batch_request(self, *, actor: User, store_later: bool = False) -> BatchRequest:
        """What a valid form asks to send, for ``sms_batch_create`` (the page and the API alike)."""
        data, prepared = self.cleaned_data, self.prepared
        assert prepared is not None
        return BatchRequest(
            team=self.team,
            account=data["account"],
            actor=actor,
            sender=data["sender"],
            text=data["text"],
            recipients=prepared.recipients,
            scheduled_at=data.get("scheduled_at"),
            period=data.get("period"),
            flash=bool(data.get("flash")),
            duplicates=prepared.duplicates,
            opt_outs=prepared.opt_outs,
            part_price=self.balance.part_price if self.balance else None,
            currency=self.balance.currency if self.balance else "",
            submission_key=data.get("submission_key") or "",
            plan=self.plan,
            store_later=store_later,
        )

    @property
    def needs_review(self) -> bool:
        """A file or contact groups: the sender sees who gets what before anything goes out."""
        return bool(self.cleaned_data.get("groups")) or bool(self.kept_upload)

    def review_fingerprint(self) -> str:
        """What the review showed: confirming a review of other recipients or another text sends nothing."""
        if self._fingerprint is None:
            self._fingerprint = self._review_fingerprint()
        return self._fingerprint

    def _review_fingerprint(self) -> str:
        data, prepared = self.cleaned_data, self.prepared
        assert prepared is not None
        scheduled = data.get("scheduled_at")
        seen = [
            data["account"].pk,
            data.get("sender"),
            data.get("text"),
            scheduled.isoformat() if scheduled else "",
            data.get("period"),
            bool(data.get("flash")),
            [(r.number.e164, r.values) for r in prepared.recipients],  # values in the file's column order
        ]
        return salted_hmac("messaging.review", json.dumps(seen, default=str)).hexdigest()

    @property
    def review_confirmed(self) -> bool:
        return constant_time_compare(self.cleaned_data.get("review_key") or "", self.review_fingerprint())

    @property
    def kept_upload_name(self) -> str:
        return self.kept_upload.partition("/")[2]

    def _ask_confirmation(self, account: ProviderAccount, prepared: Prepared) -> None:
        assert self.plan is not None
        if self.plan.parts > limits.sms_confirm_parts():
            self.needs_confirmation.append(
                _("Each recipient gets %(parts)d SMS for this long text (%(total)d SMS in all).")
                % {"parts": self.plan.parts, "total": self.plan.total_parts}
            )
        used = placeholders(self.cleaned_data.get("text") or "")
        blank = sum(1 for r in prepared.recipients if any(not r.values.get(p) for p in used)) if used else 0
        if blank:  # typed numbers have no name, a contact may lack a field: their text would read "Merhaba ,"
            self.needs_confirmation.append(
                ngettext(
                    "%(count)d recipient has no value for %(names)s: their text reads it empty.",
                    "%(count)d recipients have no value for %(names)s: their text reads it empty.",
                    blank,
                )
                % {"count": blank, "names": ", ".join(f"{{{p}}}" for p in used)}
            )
        abroad = prepared.abroad
        if abroad:
            self.needs_confirmation.append(
                ngettext(
                    "%d number is outside Turkey: it is sent as an international SMS (universal, with +), "
                    "at the international price.",
                    "%d numbers are outside Turkey: they are sent as international SMS (universal, with +), "
                    "at the international price.",
                    abroad,
                )
                % abroad
            )
        self.balance = balance.account_balance(account=account)
        price = self.balance.part_price
        if (
            self.balance.amount is not None
            and price is not None
            and price * self.plan.total_parts > self.balance.amount
        ):
            self.needs_confirmation.append(
                _("The estimated cost (%(cost)s) exceeds the balance (%(balance)s %(currency)s).")
                % {
                    "cost": f"{price * self.plan.total_parts:.2f}",
                    "balance": self.balance.amount,
                    "currency": self.balance.currency,
                }
            )
        if self.needs_confirmation and not self.cleaned_data.get("confirm"):
            self.add_error("confirm", _("Check the notes above and confirm to send."))


class ScheduledEditForm(forms.Form):
    """A held batch's new text and time. A new text costs what a new send would: it is reviewed before it is saved."""

    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the text of the message.")},
    )
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        widget=SEND_AT_WIDGET,
        help_text=_("In the team's time zone."),
        error_messages={"required": _("Give the time to send; to send now, cancel and compose it again.")},
    )
    review_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, batch: SmsBatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.change: scheduled.TextChange | None = None
        self.balance: balance.Balance | None = None
        self.notes: list[str] = []
        if batch.personalised:
            self.fields["text"].disabled = True
            self.fields["text"].help_text = _(
                "Each recipient's text was made from their own values: it cannot be changed here."
            )

    def clean_scheduled_at(self) -> datetime | None:
        return send_time(self.cleaned_data.get("scheduled_at"), self.batch.team)

    def clean(self) -> dict[str, Any]:
        super().clean()
        text = self.cleaned_data.get("text")
        if text is None or not self.text_changed:
            return self.cleaned_data
        self.balance = balance.account_balance(account=self.batch.account)
        try:
            self.change = scheduled.text_change(batch=self.batch, text=text, part_price=self.balance.part_price)
        except SmsError as exc:
            self.add_error("text", str(exc))
            return self.cleaned_data
        plan, cost = self.change.plan, self.change.estimated_cost
        if plan.parts > limits.sms_confirm_parts():
            self.notes.append(
                _("Each recipient gets %(parts)d SMS for this long text (%(total)d SMS in all).")
                % {"parts": plan.parts, "total": self.change.total_parts}
            )
        if cost is not None and self.balance.amount is not None and cost > self.balance.amount:
            self.notes.append(
                _("The estimated cost (%(cost)s) exceeds the balance (%(balance)s %(currency)s).")
                % {"cost": f"{cost:.2f}", "balance": self.balance.amount, "currency": self.balance.currency}
            )
        return self.cleaned_data

    @property
    def text_changed(self) -> bool:
        return (self.cleaned_data.get("text") or self.batch.text) != self.batch.text

    def review_fingerprint(self) -> str:
        """What the review showed: confirming a review of another text or time saves nothing."""
        scheduled_at = self.cleaned_data.get("scheduled_at")
        seen = [self.batch.pk, self.cleaned_data.get("text"), scheduled_at.isoformat() if scheduled_at else ""]
        return salted_hmac("messaging.scheduled-review", json.dumps(seen)).hexdigest()

    @property
    def review_confirmed(self) -> bool:
        return constant_time_compare(self.cleaned_data.get("review_key") or "", self.review_fingerprint())


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "phone", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "contact_%s")  # several forms share the contacts page: ids stay unique
        super().__init__(*args, **kwargs)
        self.team = team
        field_of(self.fields, "groups", forms.ModelMultipleChoiceField).queryset = team.contact_groups.all()

    def clean_phone(self) -> str:
        try:
            phone = parse_number(self.cleaned_data["phone"]).e164
        except PhoneNumberError as exc:
            raise forms.ValidationError(str(exc)) from None
        clash = self.team.contacts.filter(phone=phone).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A contact with this number exists already."))
        return phone


class ContactGroupForm(forms.ModelForm):
    class Meta:
        model = ContactGroup
        fields = ["name"]
        labels = {"name": _("Group name")}

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "group_%s")  # several forms share the contacts page: ids stay unique
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.team.contact_groups.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A group with this name exists already."))
        return name


class ContactImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    group = forms.ModelChoiceField(
        label=_("Add to group"), queryset=ContactGroup.objects.none(), required=False, empty_label=_("No group")
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "import_%s")  # several forms share the contacts page: ids stay unique
        super().__init__(*args, **kwargs)
        field_of(self.fields, "group", forms.ModelChoiceField).queryset = team.contact_groups.all()
        limits = {"mb": upload_limit_mb(), "rows": settings.UPLOAD_MAX_ROWS}
        self.fields["file"].help_text = _("Columns: phone, name, and any others. At most %(mb)s MB and %(rows)s rows.")
        self.fields["file"].help_text %= limits

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:  # before anything reads it
            raise forms.ValidationError(str(FileError("too_big", limit=upload_limit_mb())))
        return upload


class OptOutForm(forms.ModelForm):
    class Meta:
        model = OptOut
        fields = ["phone", "reason"]

    def clean_phone(self) -> str:
        try:
            return parse_number(self.cleaned_data["phone"]).e164
        except PhoneNumberError as exc:
            raise forms.ValidationError(str(exc)) from None


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["name", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class SmsImportForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account"), queryset=ProviderAccount.objects.none(), empty_label=None)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = limits.pasifik_sms_accounts(team).filter(is_active=True)
        field_of(self.fields, "account", forms.ModelChoiceField).queryset = accounts

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end is before the start."))
        elif start and end and (end - start).days > 31:
            self.add_error("end", _("Import at most 31 days at once."))
        return data
