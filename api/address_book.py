"""Contacts and opt-outs: the contacts page's forms and address-book services (messaging)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from messaging.filters import ContactFilter
from messaging.forms import ContactForm, OptOutForm
from messaging.models import Contact, OptOut
from messaging.services import address_book

from .base import TeamAPIView
from .filtering import filtered
from .paging import PAGE_PARAMETERS, paged
from .serializers import StrictSerializer, page_serializer, with_errors


def form_errors(form: Any) -> dict[str, list[str]]:
    return {("" if name == "__all__" else name): [str(m) for m in messages] for name, messages in form.errors.items()}


def without_paging(request: Request) -> Any:
    data = request.query_params.copy()
    for name in ("page", "per_page"):
        data.pop(name, None)
    return data or None


class ContactSerializer(serializers.ModelSerializer):
    groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "name", "phone", "fields", "groups", "created_at"]


class ContactCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40)
    groups = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                   max_length=100)  # fmt: skip


class OptOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = OptOut
        fields = ["id", "phone", "reason", "created_at"]


class OptOutCreateSerializer(StrictSerializer):
    phone = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ContactListView(TeamAPIView):
    permission = "view"
    permissions_by_method = {"POST": "manage_contacts"}

    @extend_schema(
        operation_id="contacts_list",
        summary="The team's contacts",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("q", OpenApiTypes.STR, description="Name or number."),
            OpenApiParameter("group", OpenApiTypes.INT),
        ],
        responses=with_errors({200: page_serializer(ContactSerializer, "ContactPage")}),
    )
    def get(self, request: Request) -> Response:
        queryset = self.team.contacts.prefetch_related("groups").order_by("name", "id")
        contacts = filtered(ContactFilter(without_paging(request), queryset=queryset, team=self.team))
        return Response(paged(request, contacts, show=lambda c: ContactSerializer(c).data))

    @extend_schema(operation_id="contacts_create", summary="Add a contact", request=ContactCreateSerializer,
                   responses=with_errors({201: ContactSerializer}))  # fmt: skip
    def post(self, request: Request) -> Response:
        given = ContactCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = ContactForm(given.validated_data, team=self.team)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        contact = address_book.contact_save(
            team=self.team, actor=self.user, name=form.cleaned_data["name"], phone=form.cleaned_data["phone"],
            groups=form.cleaned_data["groups"], request=self.django_request,
        )  # fmt: skip
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ContactDetailView(TeamAPIView):
    permission = "view"
    permissions_by_method = {"DELETE": "manage_contacts"}
    team_model = Contact

    @extend_schema(operation_id="contact", summary="A contact", responses=with_errors({200: ContactSerializer}))
    def get(self, request: Request, pk: int) -> Response:
        return Response(ContactSerializer(self.get_team_object()).data)

    @extend_schema(operation_id="contacts_delete", summary="Delete a contact",
                   responses=with_errors({204: OpenApiResponse(description="Deleted.")}))  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        address_book.contact_delete(contact=self.get_team_object(), actor=self.user, request=self.django_request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OptOutListView(TeamAPIView):
    permission = "view"
    permissions_by_method = {"POST": "manage_contacts"}

    @extend_schema(operation_id="opt_outs_list", summary="Numbers that receive no SMS from the team",
                   parameters=PAGE_PARAMETERS,
                   responses=with_errors({200: page_serializer(OptOutSerializer, "OptOutPage")}))  # fmt: skip
    def get(self, request: Request) -> Response:
        opt_outs = self.team.sms_opt_outs.order_by("-created_at", "-id")
        return Response(paged(request, opt_outs, show=lambda o: OptOutSerializer(o).data))

    @extend_schema(operation_id="opt_outs_create", summary="Opt a number out of the team's SMS",
                   request=OptOutCreateSerializer, responses=with_errors({201: OptOutSerializer}))  # fmt: skip
    def post(self, request: Request) -> Response:
        given = OptOutCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        form = OptOutForm(given.validated_data)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        opt_out = address_book.opt_out_add(
            team=self.team, actor=self.user, phone=form.cleaned_data["phone"], reason=form.cleaned_data["reason"],
            request=self.django_request,
        )  # fmt: skip
        return Response(OptOutSerializer(opt_out).data, status=status.HTTP_201_CREATED)


class OptOutDetailView(TeamAPIView):
    permission = "view"
    permissions_by_method = {"DELETE": "manage_contacts"}
    team_model = OptOut

    @extend_schema(operation_id="opt_out", summary="An opt-out", responses=with_errors({200: OptOutSerializer}))
    def get(self, request: Request, pk: int) -> Response:
        return Response(OptOutSerializer(self.get_team_object()).data)

    @extend_schema(operation_id="opt_outs_delete", summary="Let a number receive the team's SMS again",
                   responses=with_errors({204: OpenApiResponse(description="Deleted.")}))  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        address_book.opt_out_remove(opt_out=self.get_team_object(), actor=self.user, request=self.django_request)
        return Response(status=status.HTTP_204_NO_CONTENT)
