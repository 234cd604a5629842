"""SMS through the API: the compose page's form and services (messaging), fed from JSON."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from messaging import uploads
from messaging.filters import BatchFilter, RecipientFilter
from messaging.forms import ComposeForm
from messaging.models import SmsBatch, SmsRecipient
from messaging.services import limits
from messaging.services.create import sms_batch_create
from messaging.services.errors import SmsError

from .base import TeamAPIView
from .filtering import filtered
from .idempotency import HEADER, idempotent
from .paging import PAGE_PARAMETERS, paged
from .serializers import StrictSerializer, page_serializer, with_errors

MAX_RECIPIENTS = 10_000  # per request; a bigger list goes as a file on the page
VALUE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")


class PersonalRecipientSerializer(StrictSerializer):
    phone = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    values = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True),
        required=False,
        default=dict,
        help_text='Values of the text\'s placeholders: {"code": "1234"} fills {code}.',
    )

    def validate_values(self, value: dict[str, str]) -> dict[str, str]:
        bad = [key for key in value if not VALUE_NAME.match(key) or key.lower() in ("phone", "name")]
        if bad:
            raise ValidationError(_("Not a placeholder name: %(names)s.") % {"names": ", ".join(sorted(bad))})
        return value


class SmsSendSerializer(StrictSerializer):
    account = serializers.IntegerField(
        required=False, min_value=1, help_text="The SMS provider account's id; optional when the team has one."
    )
    sender = serializers.CharField(max_length=11)
    text = serializers.CharField(max_length=5000)
    to = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=MAX_RECIPIENTS,
        help_text="Numbers that all get the same text.",
    )  # fmt: skip
    recipients = serializers.ListField(
        child=PersonalRecipientSerializer(), required=False, default=list, max_length=MAX_RECIPIENTS,
        help_text="Numbers with a name and values for the text's {placeholders}: a personal text each.",
    )  # fmt: skip
    groups = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=100,
        help_text="Contact groups' ids: their contacts' names and fields fill the placeholders.",
    )  # fmt: skip
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    validity_minutes = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                                max_value=1440)  # fmt: skip
    flash = serializers.BooleanField(required=False, default=False)
    confirm = serializers.BooleanField(
        required=False, default=False,
        help_text="Send although the request has notes (long text, numbers abroad, empty placeholders, cost).",
    )  # fmt: skip


class SmsBatchSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id")
    recipients = serializers.SerializerMethodField()

    class Meta:
        model = SmsBatch
        fields = [
            "id", "state", "account", "sender", "text", "personalised", "alphabet", "flash", "scheduled_at",
            "period", "recipient_count", "parts", "estimated_cost", "currency", "skipped_duplicates",
            "skipped_opt_outs", "created_by_email", "created_at", "updated_at", "recipients",
        ]  # fmt: skip

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_recipients(self, batch: SmsBatch) -> dict[str, int]:
        """How many recipients are in each state (pending, waiting, delivered, undelivered, failed, cancelled)."""
        counts = dict.fromkeys(SmsRecipient.State.values, 0)
        for state, n in batch.recipients.values_list("state").annotate(n=Count("pk")).values_list("state", "n"):
            counts[state] = n
        return counts


class SmsRecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = SmsRecipient
        fields = ["id", "phone", "name", "text", "state", "status_text", "cost", "network", "last_update"]


FORM_FIELDS = {  # the compose form's field -> the API's
    "recipients": "to",
    "upload": "recipients",
    "period": "validity_minutes",
    "__all__": "",
}

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="Any string up to 100 printable characters: the same key with the same body answers the first "
    "answer again and sends nothing; with another body, 409.",
)  # fmt: skip


def personal_file(recipients: list[dict[str, Any]]) -> SimpleUploadedFile:
    """Personal recipients as the CSV the compose page reads (a ``phone`` column, others are placeholders)."""
    names = sorted({key for r in recipients for key in r["values"]})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phone", "name", *names])
    for r in recipients:
        writer.writerow([r["phone"], r["name"], *(r["values"].get(n, "") for n in names)])
    return SimpleUploadedFile("api-recipients.csv", out.getvalue().encode(), content_type="text/csv")


class SmsListView(TeamAPIView):
    permission = "view"
    permissions_by_method = {"POST": "send"}

    @extend_schema(
        operation_id="sms_batches_list",
        summary="SMS batches, newest first",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("state", OpenApiTypes.STR, enum=SmsBatch.State.values),
            OpenApiParameter("sender", OpenApiTypes.STR),
            OpenApiParameter("number", OpenApiTypes.STR, description="Batches that went to a number ending so."),
        ],
        responses=with_errors({200: page_serializer(SmsBatchSerializer, "SmsBatchPage")}),
    )
    def get(self, request: Request) -> Response:
        data = request.query_params.copy()
        for name in ("page", "per_page"):
            data.pop(name, None)
        batches = filtered(BatchFilter(data or None, queryset=self.team.sms_batches.order_by("-created_at", "-id")))
        return Response(paged(request, batches, show=lambda b: SmsBatchSerializer(b).data, per_page=25))

    @extend_schema(
        operation_id="sms_send",
        summary="Send an SMS: to one number, many, or each with a personal text",
        request=SmsSendSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=with_errors({201: SmsBatchSerializer}, 409),
    )
    def post(self, request: Request) -> Response:
        return idempotent(request, self.token, "sms_send", lambda: self.send(request))

    def send(self, request: Request) -> Response:
        given = SmsSendSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if not (data["to"] or data["recipients"] or data["groups"]):
            raise ValidationError({"to": [_("Give at least one number, a contact group or a recipient.")]})
        account = data.get("account")
        if account is None:
            accounts = list(limits.pasifik_sms_accounts(self.team).filter(is_active=True)[:2])
            if len(accounts) != 1:
                raise ValidationError({"account": [_("Choose the account to send from.")]})
            account = accounts[0].pk
        key = request.headers.get(HEADER)
        form_data = {
            "account": account,
            "sender": data["sender"],
            "text": data["text"],
            "recipients": "\n".join(data["to"]),
            "groups": data["groups"],
            "scheduled_at": data["scheduled_at"],
            "period": data["validity_minutes"],
            "flash": data["flash"],
            "confirm": data["confirm"],
            # Even a lost idempotency record cannot send twice: the batch itself is unique per key.
            "submission_key": hashlib.sha256(f"{self.token.pk}:{key}".encode()).hexdigest()[:32] if key else "",
        }
        files = {"upload": personal_file(data["recipients"])} if data["recipients"] else {}
        form = ComposeForm(form_data, files, team=self.team)
        try:
            if not form.is_valid():
                raise ValidationError(self.form_errors(form))
            try:
                batch = sms_batch_create(
                    form.batch_request(actor=self.user),
                    request=self.django_request,
                )
            except SmsError as exc:
                raise ValidationError(str(exc)) from None
        finally:
            uploads.drop(team=self.team, token=form.kept_upload)
        return Response(SmsBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def form_errors(form: ComposeForm) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for name, messages in form.errors.items():
            said = [str(m) for m in messages]
            if name == "confirm":  # the page's "confirm the notes above": the notes themselves, and how
                said = [*form.needs_confirmation, _('Send again with "confirm": true to send anyway.')]
            errors.setdefault(FORM_FIELDS.get(name, name), []).extend(said)
        return errors


class SmsDetailView(TeamAPIView):
    permission = "view"
    team_model = SmsBatch

    @extend_schema(operation_id="sms_batch", summary="An SMS batch and its progress",
                   responses=with_errors({200: SmsBatchSerializer}))  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(SmsBatchSerializer(self.get_team_object()).data)


class SmsRecipientsView(TeamAPIView):
    permission = "view"
    team_model = SmsBatch

    @extend_schema(
        operation_id="sms_batch_recipients",
        summary="A batch's recipients and their delivery state",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("state", OpenApiTypes.STR, enum=SmsRecipient.State.values),
            OpenApiParameter("number", OpenApiTypes.STR, description="Recipients whose number ends so."),
        ],
        responses=with_errors({200: page_serializer(SmsRecipientSerializer, "SmsRecipientPage")}),
    )
    def get(self, request: Request, pk: int) -> Response:
        batch = self.get_team_object()
        data = request.query_params.copy()
        for name in ("page", "per_page"):
            data.pop(name, None)
        recipients = filtered(RecipientFilter(data or None, queryset=batch.recipients.order_by("id")))
        return Response(paged(request, recipients, show=lambda r: SmsRecipientSerializer(r).data))
