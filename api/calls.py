"""Call records (the CDR browser's filters and keyset pages), a call, its recording, live calls (telephony)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from telephony import services
from telephony.filters import PRESETS, CallFilter
from telephony.forms import DisconnectForm
from telephony.models import CallRecord, Direction, Disposition
from telephony.ranges import recording_response
from telephony.recording_access import call_in_limit
from telephony.selectors import SORTS, keyset_page, parse_sort

from .base import TeamAPIView
from .errors import Gone, ProviderFailed
from .serializers import ERROR_TEXTS, PRESIGNED_REDIRECT, ErrorSerializer, StrictSerializer, with_errors

SORT_VALUES = [*SORTS, *(f"-{s}" for s in SORTS)]


class CallRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    caller = serializers.CharField()
    callee = serializers.CharField()
    duration = serializers.IntegerField()
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    has_recording = serializers.BooleanField()
    account_label = serializers.CharField()


class CallPageSerializer(serializers.Serializer):
    results = CallRowSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as ?after= for the next page.")
    previous_cursor = serializers.CharField(allow_null=True, help_text="Pass as ?before= for the page before.")


class CallRecordSerializer(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id")

    class Meta:
        model = CallRecord
        fields = [
            "id", "account", "source", "provider_id", "start", "answer", "end", "duration", "billed_seconds",
            "caller", "callee", "direction", "disposition", "result", "cost", "country", "description",
            "has_recording", "recording_missing",
        ]  # fmt: skip


CALL_FILTERS = [
    OpenApiParameter("preset", OpenApiTypes.STR, enum=[p for p, _label in PRESETS],
                     description="The period (the page's default: today) unless dates are given."),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("number", OpenApiTypes.STR, description="Caller or callee number."),
    OpenApiParameter("match", OpenApiTypes.STR, enum=["prefix", "contains"]),
    OpenApiParameter("disposition", OpenApiTypes.STR, enum=Disposition.values),
    OpenApiParameter("direction", OpenApiTypes.STR, enum=Direction.values),
    OpenApiParameter("has_recording", OpenApiTypes.BOOL),
    OpenApiParameter("min_duration", OpenApiTypes.INT),
    OpenApiParameter("account", OpenApiTypes.INT),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=SORT_VALUES),
    OpenApiParameter("after", OpenApiTypes.STR, description="A next_cursor."),
    OpenApiParameter("before", OpenApiTypes.STR, description="A previous_cursor."),
]  # fmt: skip


class CallListView(TeamAPIView):
    permission = "view"

    @extend_schema(operation_id="calls_list", summary="Call records: the CDR page's filters, keyset pages of 50",
                   parameters=CALL_FILTERS, responses=with_errors({200: CallPageSerializer}))  # fmt: skip
    def get(self, request: Request) -> Response:
        data = request.query_params.copy()
        # As the page: no period given is today's; dates given make the period "custom".
        if not any(data.get(key) for key in ("preset", "date_from", "date_to")):
            data["preset"] = "today"
        elif data.get("date_from") or data.get("date_to"):
            data["preset"] = "custom"
        call_filter = CallFilter(data, queryset=self.team_queryset(CallRecord), team=self.team)
        if not call_filter.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in call_filter.errors.items()})
        sort = parse_sort(data.get("sort"))
        page = keyset_page(call_filter.qs, sort=sort, after=data.get("after"), before=data.get("before"))
        return Response(
            {
                "results": [row._asdict() for row in page.rows],
                "next_cursor": page.next_cursor,
                "previous_cursor": page.prev_cursor,
            }
        )


class CallDetailView(TeamAPIView):
    permission = "view"
    team_model = CallRecord

    @extend_schema(operation_id="call", summary="A call record", responses=with_errors({200: CallRecordSerializer}))
    def get(self, request: Request, pk: int) -> Response:
        return Response(CallRecordSerializer(self.get_team_object()).data)


class RecordingView(TeamAPIView):
    """Always a download (an attachment, audited as one): ``download_recordings``, the team's choice of role
    included (Membership.can); a member limited to some numbers gets a 404 for any other call's recording."""

    permission = "download_recordings"
    team_model = CallRecord

    @extend_schema(
        operation_id="call_recording",
        summary="A call's recording (WAV), with HTTP Range",
        parameters=[
            OpenApiParameter(
                "Range", OpenApiTypes.STR, OpenApiParameter.HEADER, description="bytes=first-last (one range)"
            )
        ],
        responses=with_errors(
            {
                (200, "audio/wav"): OpenApiResponse(OpenApiTypes.BINARY, description="The whole recording."),
                (206, "audio/wav"): OpenApiResponse(OpenApiTypes.BINARY, description="The range asked for."),
                302: OpenApiResponse(description=PRESIGNED_REDIRECT),
                416: OpenApiResponse(description="The range is outside the file."),
            },
            410,
            502,
        ),
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        call = self.get_team_object()
        if not call.has_recording or not call_in_limit(self.membership, call):
            raise Http404
        try:
            call = services.recording_fetch(call=call)
        except services.RecordingUnavailable as exc:
            raise (Gone(exc.message) if exc.gone else ProviderFailed(exc.message)) from None
        range_header = request.headers.get("Range")
        if not range_header or range_header.strip() == "bytes=0-":  # one audit event per download, not per range
            services.recording_accessed(call=call, actor=self.user, request=self.django_request, download=True)
        return recording_response(call, range_header=range_header, attachment=True)


class LiveAccountSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    account_label = serializers.CharField()
    calls = serializers.ListField(child=serializers.DictField(), help_text="Telephone live calls (id, state, …).")
    channels = serializers.ListField(child=serializers.DictField(), help_text="The PBX's active channels.")
    fetched_at = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField(help_text="The provider did not answer: the last known state.")
    error = serializers.CharField(allow_blank=True)


class DisconnectSerializer(StrictSerializer):
    account = serializers.IntegerField(min_value=1)
    call_id = serializers.IntegerField(min_value=1)


class DisconnectResultSerializer(serializers.Serializer):
    disconnected = serializers.BooleanField()
    message = serializers.CharField()


class LiveCallsView(TeamAPIView):
    permission = "view"

    @extend_schema(operation_id="calls_live", summary="Live calls of each account (asks the provider, quickly)",
                   responses=with_errors({200: LiveAccountSerializer(many=True)}))  # fmt: skip
    def get(self, request: Request) -> Response:
        found: list[dict[str, Any]] = []
        for status in services.live_calls_status(team=self.team):
            telephone, pbx = status.telephone, status.pbx
            found.append(
                {
                    "account": status.account.pk,
                    "account_label": status.account.label,
                    "calls": telephone.data.get("calls", []),
                    "channels": pbx.data.get("channels", []),
                    "fetched_at": min((t for t in (telephone.fetched_at, pbx.fetched_at) if t), default=None),
                    "stale": status.stale,
                    "error": telephone.error or pbx.error,
                }
            )
        return Response(LiveAccountSerializer(found, many=True).data)


class DisconnectView(TeamAPIView):
    permission = "disconnect_calls"

    @extend_schema(
        operation_id="calls_disconnect",
        summary="Disconnect a live call (once, never retried)",
        request=DisconnectSerializer,
        responses=with_errors(
            {200: DisconnectResultSerializer, 502: OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[502])}
        ),
    )
    def post(self, request: Request) -> Response:
        given = DisconnectSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = DisconnectForm(given.validated_data, team=self.team)
        if not form.is_valid():
            raise ValidationError({"account": [_("Not a calls account of this team.")]})
        result = services.call_disconnect(
            account=form.cleaned_data["account"], call_id=form.cleaned_data["call_id"], actor=self.user,
            request=self.django_request,
        )  # fmt: skip
        return Response({"disconnected": result.ok, "message": str(result.message)})
