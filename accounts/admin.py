from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .audit_labels import details_text
from .models import AuditEvent, Invitation, Membership, ProviderAccount, RecoveryCode, Team, User
from .owners import last_owner_refusals, leaves_team_without_owner
from .roles import Role
from .services import last_owner_message
from .sso_models import TeamSSO
from .team_lifecycle import team_erase


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Deleting a user deletes their memberships: never the last owner's of a team (it would be left ownerless).
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        users = [user.pk for user in objs]
        refusals = last_owner_refusals(Membership.objects.filter(user__in=users))
        return deleted, counts, perms_needed, [*protected, *refusals]


class MembershipInlineFormSet(BaseInlineFormSet):
    """A team edited in Django admin keeps at least one owner when it had one."""

    def clean(self) -> None:
        super().clean()
        team = self.instance
        if team.pk is None or not team.memberships.filter(role=Role.OWNER).exists():
            return
        kept_owners = [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed())  # an untouched empty extra row is no member
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == Role.OWNER
        ]
        if not kept_owners:
            raise forms.ValidationError(last_owner_message())


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "require_two_factor", "created_at"]
    list_filter = ["require_two_factor"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    # Deleting here is the owner's deletion without the owner's confirmation: the same rows, files and last
    # audit line (accounts.team_lifecycle.team_erase), so an operator can remove an abandoned team.
    def delete_model(self, request: HttpRequest, obj: Team) -> None:
        team_erase(team=obj, actor=request.user if isinstance(request.user, User) else None, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Team]) -> None:
        for team in queryset:
            self.delete_model(request, team)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        deleted, counts, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, []  # team_erase removes the rows protecting its accounts first


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["team", "user", "role", "recording_numbers"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        before = self.instance
        if before.pk is not None:
            stays_owner = cleaned.get("role") == Role.OWNER and cleaned.get("team") == before.team
            if not stays_owner and leaves_team_without_owner(Membership.objects.filter(pk=before.pk)):
                raise forms.ValidationError(last_owner_message())
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__email", "team__name"]
    autocomplete_fields = ["user", "team"]

    # The last owner's membership is shown as protected: the page says why and offers no "Yes, I'm sure".
    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = last_owner_refusals(Membership.objects.filter(pk__in=[membership.pk for membership in objs]))
        return deleted, counts, perms_needed, [*protected, *refusals]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    readonly_fields = ["token_hash", "accepted_by", "accepted_at", "invited_by"]


@admin.register(ProviderAccount)
class ProviderAccountAdmin(admin.ModelAdmin):
    """Credentials are encrypted and never shown: only which fields are set.

    Where requests go (base URL, options) and the credentials are read-only here: they are
    changed on the team's provider page, which checks the address and asks for every secret
    again when it changes. Accounts are added there too (this form cannot hold credentials).
    """

    list_display = ["label", "kind", "team", "is_active", "last_checked_at", "has_error"]
    list_filter = ["kind", "is_active", "team"]
    search_fields = ["label", "team__name"]
    fields = [
        "team",
        "kind",
        "label",
        "credentials_set",
        "options",
        "base_url",
        "is_active",
        "last_checked_at",
        "last_error_text",
    ]
    readonly_fields = ["team", "kind", "credentials_set", "options", "base_url", "last_checked_at", "last_error_text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("credentials"))
    def credentials_set(self, obj: ProviderAccount) -> str:
        if obj.credentials_unreadable:
            return str(_("credentials unreadable — re-enter them"))
        names = sorted((obj.credentials or {}).keys())
        return ", ".join(f"{name}: ••••••" for name in names) or "—"

    @admin.display(boolean=True, description=_("error"))
    def has_error(self, obj: ProviderAccount) -> bool:
        return bool(obj.last_error or obj.last_error_stored)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    # A deleted team's last event has no team (its id and name are in the details): filter "team: -".
    list_display = ["created_at", "team", "actor_email", "action", "object_repr", "ip_address", "details"]
    list_filter = ["action", "team"]
    search_fields = ["actor_email", "object_repr", "action"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description=_("details"))
    def details(self, obj: AuditEvent) -> str:
        return details_text(obj.data)


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(admin.ModelAdmin):
    """Read-only: codes are made by their owner on the Security page; deleting them here is allowed."""

    list_display = ["user", "created_at", "used_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    readonly_fields = ["user", "created_at", "used_at"]
    exclude = ["code_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(TeamSSO)
class TeamSSOAdmin(admin.ModelAdmin):
    """For the operator: switch a team's single sign-on off (password log-in comes back) when its provider fails.

    The client secret is never shown (``EncryptedJSONField`` is not editable); the owner's page sets it.
    """

    list_display = ["team", "display_name", "slug", "issuer", "is_active", "password_login_disabled", "last_sign_in_at"]
    list_filter = ["is_active", "password_login_disabled"]
    search_fields = ["team__name", "slug", "issuer"]
    fields = ["team", "display_name", "slug", "issuer", "client_id", "is_active", "password_login_disabled"]
    readonly_fields = ["team", "display_name", "slug", "issuer", "client_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TeamSSO, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if form.changed_data:
            audit_record(
                team=obj.team,
                actor=request.user if isinstance(request.user, User) else None,
                action="sso.update",
                target=obj,
                request=request,
                fields=sorted(form.changed_data),
                credentials_changed=False,
            )
