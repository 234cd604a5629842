"""Faxes through the API: the fax page's compose form and services (fax), sent in one request.

The page previews before sending; a program cannot look, so a POST stores the draft, renders
what will be transmitted in the request (the renderer is bounded, as when the broker is down)
and confirms it: one queued fax per recipient, sent by the worker. A long fax still needs
``confirm_pages``, as on the page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import audit_record
from fax import documents as docs
from fax.filters import FaxFilter
from fax.forms import ComposeForm
from fax.models import Direction, Fax, FaxDocument, FaxDraft, Quality, Status
from fax.services import DocumentUnavailable, FaxActionError, downloads, drafts, storage

from .base import TeamAPIView
from .errors import ProviderFailed
from .filtering import filtered
from .idempotency import idempotent
from .paging import PAGE_PARAMETERS, paged
from .serializers import (
    ERROR_TEXTS,
    PRESIGNED_REDIRECT,
    ErrorSerializer,
    StrictSerializer,
    page_serializer,
    with_errors,
)
from .sms import IDEMPOTENCY_PARAMETER


class FaxDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FaxDocument
        fields = ["role", "position", "filename", "media_type", "size", "pages"]


class FaxSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id", allow_null=True)
    provider_status_text = serializers.CharField()
    error_text = serializers.CharField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Fax
        fields = [
            "id", "direction", "status", "provider_status", "provider_status_text", "account", "our_number",
            "remote_number", "quality", "scheduled_at", "pages", "attempts", "outcome_unknown", "error_text",
            "created_at", "status_changed_at", "completed_at", "documents",
        ]  # fmt: skip

    @extend_schema_field(FaxDocumentSerializer(many=True))
    def get_documents(self, fax: Fax) -> list[dict[str, Any]]:
        return [dict(FaxDocumentSerializer(d).data) for d in fax.documents.all()]


class FaxSendSerializer(StrictSerializer):
    """The multipart form of a fax: its fields, and one or more ``files``."""

    account = serializers.IntegerField(min_value=1)
    our_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    recipients = serializers.CharField(max_length=5000, help_text="Fax numbers, one per line or comma-separated.")
    files = serializers.ListField(child=serializers.FileField(), help_text="PDF, TIFF, PNG or JPEG (several allowed).")
    quality = serializers.ChoiceField(choices=Quality.choices, required=False, default=Quality.FINE)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    confirm_pages = serializers.BooleanField(
        required=False, default=False, help_text="Send a fax of FAX_CONFIRM_PAGES pages or more."
    )

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "getlist"):  # a multipart form: several "files", one of everything else
            flat = {key: data.get(key) for key in data}
            flat["files"] = data.getlist("files")
            data = flat
        return super().to_internal_value(data)


class FaxListView(TeamAPIView):
    permission = "view"
    permissions_by_method = {"POST": "send"}
    parser_classes = [MultiPartParser]

    @property
    def max_body_bytes(self) -> int:  # type: ignore[override]
        return int(settings.UPLOAD_MAX_BYTES) + 64 * 1024  # the files and the form around them

    @extend_schema(
        operation_id="faxes_list",
        summary="Faxes sent and received, newest first",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("direction", OpenApiTypes.STR, enum=Direction.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
            OpenApiParameter("account", OpenApiTypes.INT),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
            OpenApiParameter("number", OpenApiTypes.STR),
        ],
        responses=with_errors({200: page_serializer(FaxSerializer, "FaxPage")}),
    )
    def get(self, request: Request) -> Response:
        data = request.query_params.copy()
        for name in ("page", "per_page"):
            data.pop(name, None)
        queryset = self.team_queryset(Fax).select_related("account").prefetch_related("documents")
        faxes = filtered(FaxFilter(data or None, queryset=queryset.order_by("-created_at", "-id"), team=self.team))
        return Response(paged(request, faxes, show=lambda f: FaxSerializer(f).data))

    @extend_schema(
        operation_id="faxes_send",
        summary="Send a fax (multipart): one queued fax per recipient",
        request={"multipart/form-data": FaxSendSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=with_errors({201: FaxSerializer(many=True)}, 409),
    )
    def post(self, request: Request) -> Response:
        return idempotent(request, self.token, "faxes_send", lambda: self.send(request))

    def send(self, request: Request) -> Response:
        given = FaxSendSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        form_data = {
            "account": data["account"],
            "our_number": data["our_number"],
            "recipients": data["recipients"],
            "quality": data["quality"],
            "scheduled_at": data["scheduled_at"],
        }
        form = ComposeForm(form_data, {"files": data["files"]}, team=self.team)
        if not form.is_valid():
            raise ValidationError({("" if k == "__all__" else k): [str(m) for m in v] for k, v in form.errors.items()})
        cleaned = form.cleaned_data
        try:
            with transaction.atomic():  # the worker's render, queued at commit, then finds it done
                draft = drafts.draft_create(
                    team=self.team, actor=self.user, account=cleaned["account"], our_number=cleaned["our_number"],
                    recipients=cleaned["recipients"], quality=cleaned["quality"],
                    scheduled_at=cleaned.get("scheduled_at"), uploads=form.uploads,
                )  # fmt: skip
                drafts.draft_render(draft_id=draft.pk)
        except docs.DocumentError as exc:
            raise ValidationError({"files": [str(exc)]}) from None
        draft = FaxDraft.objects.get(pk=draft.pk)
        if draft.render_error_stored or draft.render_error:
            raise ValidationError({"files": [draft.render_error_text]})
        try:
            faxes = drafts.draft_confirm(
                draft=draft, actor=self.user, request=self.django_request, pages_confirmed=data["confirm_pages"]
            )
        except FaxActionError as exc:
            raise ValidationError({"confirm_pages": [str(exc)]}) from None
        return Response(FaxSerializer(faxes, many=True).data, status=status.HTTP_201_CREATED)


class FaxDetailView(TeamAPIView):
    permission = "view"
    team_model = Fax

    @extend_schema(operation_id="fax", summary="A fax: its status, error and documents",
                   responses=with_errors({200: FaxSerializer}))  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(FaxSerializer(self.get_team_object()).data)


class FaxDocumentView(TeamAPIView):
    permission = "view"
    team_model = Fax

    @extend_schema(
        operation_id="fax_document",
        summary="A fax's document (the received one, or one sent); fetched from the provider when not stored yet",
        parameters=[
            OpenApiParameter("role", OpenApiTypes.STR, enum=FaxDocument.Role.values),
            OpenApiParameter("n", OpenApiTypes.INT, description="Position among the documents of that role (0)."),
        ],
        responses=with_errors(
            {
                (200, "*/*"): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The file, with its own content type (PDF, TIFF, PNG…)."
                ),
                302: OpenApiResponse(description=PRESIGNED_REDIRECT),
                502: OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[502]),
            }
        ),
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        fax = self.get_team_object()
        role = request.query_params.get("role", "")
        documents = [d for d in fax.documents.all() if not role or d.role == role]
        fetch = {
            (FaxDocument.Role.TRANSMITTED, Direction.OUTGOING): downloads.fetch_sent_document,
            (FaxDocument.Role.RECEIVED, Direction.INCOMING): downloads.fetch_received_document,
        }.get((role, fax.direction))
        if fetch is not None and not documents:
            try:
                documents = [fetch(fax=fax)]
            except DocumentUnavailable as exc:
                raise NotFound(str(exc)) from None
            except FaxActionError as exc:  # the provider failed to give it
                raise ProviderFailed(str(exc)) from None
        try:
            document = documents[int(request.query_params.get("n", "0"))]
        except (IndexError, ValueError):
            raise Http404 from None
        if not document.file.name:
            raise Http404
        audit_record(
            team=self.team, actor=self.user, action="fax.download", target=fax, request=self.django_request,
            role=document.role,
        )  # fmt: skip
        return storage.document_response(document, range_header=request.headers.get("Range"))
