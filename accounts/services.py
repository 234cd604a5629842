"""Services that write team, membership, invitation and provider-account state.

Keyword-only functions named ``<noun>_<verb>``; each writes an audit event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from .audit import audit_record
from .models import Invitation, Membership, ProviderAccount, Team, User, hash_token
from .provider_options import base_url_problem, clean_options, routing_changed, routing_credentials
from .provider_registry import spec_for
from .roles import RANK, Role


class ServiceError(Exception):
    """A refusal with a message safe to show the user."""


@transaction.atomic
def team_create(*, name: str, owner: User, time_zone: str | None = None, request: HttpRequest | None = None) -> Team:
    team = Team.objects.create(name=name, time_zone=time_zone or settings.DEFAULT_TEAM_TIME_ZONE)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    audit_record(team=team, actor=owner, action="team.create", target=team, request=request)
    return team


@transaction.atomic
def team_update(
    *,
    team: Team,
    actor: User,
    name: str,
    time_zone: str,
    notification_email: str | None = None,
    request: HttpRequest | None = None,
) -> Team:
    values = {"name": name, "time_zone": time_zone}
    if notification_email is not None:
        values["notification_email"] = notification_email
    changed = [f for f, v in values.items() if getattr(team, f) != v]
    for f, v in values.items():
        setattr(team, f, v)
    team.save(update_fields=list(values))
    audit_record(team=team, actor=actor, action="team.update", target=team, request=request, fields=changed)
    return team


def _check_can_grant(actor_membership: Membership, role: str) -> None:
    if RANK[Role(role)] > RANK[Role(actor_membership.role)]:
        raise ServiceError(_("You cannot give a role higher than your own."))


def invitation_url(token: str, request: HttpRequest | None) -> str:
    path = reverse("invitation-accept", args=[token])
    return request.build_absolute_uri(path) if request else path


@transaction.atomic
def invitation_create(
    *, team: Team, actor_membership: Membership, email: str, role: str, request: HttpRequest | None = None
) -> tuple[Invitation, str]:
    """Creates and emails an invitation; returns it with the raw token (only the hash is stored)."""
    email = email.strip().lower()
    _check_can_grant(actor_membership, role)
    if team.memberships.filter(user__email__iexact=email).exists():
        raise ServiceError(_("%(email)s is already a member of this team.") % {"email": email})
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor_membership.user,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    link = invitation_url(token, request)
    context = {"invitation": invitation, "link": link, "team": team, "inviter": actor_membership.user}
    transaction.on_commit(
        lambda: send_mail(
            subject=_("You are invited to join %(team)s on Telcoportal") % {"team": team.name},
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    )
    audit_record(
        team=team,
        actor=actor_membership.user,
        action="invitation.create",
        target=invitation,
        request=request,
        role=role,
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("team").filter(token_hash=hash_token(token)).first()


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why an invitation cannot be used, in words for the person holding the link."""
    if invitation is None:
        return _("This invitation link is not valid. Ask for a new one.")
    if invitation.is_used:
        return _("This invitation has already been used. Log in to reach the team.")
    if invitation.is_revoked:
        return _("This invitation was withdrawn. Ask the team's admin for a new one.")
    if invitation.is_expired:
        return _("This invitation expired. Ask the team's admin for a new one.")
    return None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, request: HttpRequest | None = None) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise ServiceError(problem)
    if user.email.lower() != invitation.email.lower():
        raise ServiceError(_("This invitation was sent to another email address."))
    membership, _created = Membership.objects.get_or_create(
        team=invitation.team, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        team=invitation.team,
        actor=user,
        action="invitation.accept",
        target=invitation,
        request=request,
        role=invitation.role,
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User, request: HttpRequest | None = None) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(team=invitation.team, actor=actor, action="invitation.revoke", target=invitation, request=request)


def invitations_purge_expired(*, older_than_days: int = 30) -> int:
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted


def last_owner_message() -> str:
    return _("A team needs an owner: transfer ownership to an admin first, or delete the team.")


def _owners_left(team: Team, excluding: Membership) -> int:
    return team.memberships.filter(role=Role.OWNER).exclude(pk=excluding.pk).count()


@transaction.atomic
def membership_update_role(
    *, membership: Membership, role: str, actor_membership: Membership, request: HttpRequest | None = None
) -> Membership:
    _check_can_grant(actor_membership, role)
    if RANK[Role(membership.role)] > RANK[Role(actor_membership.role)]:
        raise ServiceError(_("You cannot change the role of someone above you."))
    if membership.role == Role.OWNER and role != Role.OWNER and _owners_left(membership.team, membership) == 0:
        raise ServiceError(last_owner_message())
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        team=membership.team,
        actor=actor_membership.user,
        action="member.role_change",
        target=membership,
        request=request,
        old_role=old,
        new_role=role,
    )
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, actor_membership: Membership, request: HttpRequest | None = None
) -> None:
    if RANK[Role(membership.role)] > RANK[Role(actor_membership.role)]:
        raise ServiceError(_("You cannot remove someone above you."))
    if membership.role == Role.OWNER and _owners_left(membership.team, membership) == 0:
        raise ServiceError(last_owner_message())
    audit_record(
        team=membership.team,
        actor=actor_membership.user,
        action="member.remove",
        target=membership,
        request=request,
        email=membership.user.email,
    )
    membership.delete()


@sensitive_variables("old", "submitted", "merged", "new")
def merge_credentials(kind: str, old: dict[str, Any], submitted: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Keeps every stored credential whose field was left blank (write-only forms)."""
    merged: dict[str, Any] = {}
    changed: list[str] = []
    for field in spec_for(kind).credentials:
        new = (submitted.get(field.name) or "").strip()
        if new:
            merged[field.name] = new
            if old.get(field.name) != new:
                changed.append(field.name)
        elif field.name in old:
            merged[field.name] = old[field.name]
    return merged, changed


def _routes_elsewhere(account: ProviderAccount, base_url: str, options: dict[str, Any], merged: dict[str, Any]) -> bool:
    if account.pk is None:
        return False
    stored = account.credentials or {}
    if (base_url or "") != (account.base_url or ""):
        return True
    if any(merged.get(name) != stored.get(name) for name in routing_credentials(account.kind) & set(stored)):
        return True
    return routing_changed(account.kind, account.options or {}, options)


@sensitive_variables("credentials", "merged")
@transaction.atomic
def provider_account_save(
    *,
    team: Team,
    actor: User,
    kind: str,
    label: str,
    credentials: dict[str, str],
    options: dict[str, Any],
    base_url: str,
    is_active: bool,
    account: ProviderAccount | None = None,
    request: HttpRequest | None = None,
) -> ProviderAccount:
    """Creates or updates a provider account. The audit event names changed credential fields, never values.

    A new base URL or a setting that decides where requests go is refused (ServiceError)
    unless every stored secret is given again: stored secrets never follow a changed address.
    """
    creating = account is None
    if account is None:
        account = ProviderAccount(team=team, kind=kind)
    problem = base_url_problem(account.kind, base_url)
    if problem:
        raise ServiceError(_("The base URL cannot be used: %(problem)s") % {"problem": problem})
    new_options, errors = clean_options(account.kind, {**(account.options or {}), **options})
    if errors:
        name, text = next(iter(errors.items()))
        raise ServiceError(_("The setting %(name)s is invalid: %(problem)s") % {"name": name, "problem": text})
    merged, changed = merge_credentials(account.kind, account.credentials or {}, credentials)
    rerouted = _routes_elsewhere(account, base_url, new_options, merged)
    if rerouted:
        stored = account.credentials or {}
        secrets = [f.name for f in spec_for(account.kind).credentials if f.secret and f.name in stored]
        if any(not (credentials.get(name) or "").strip() for name in secrets):
            raise ServiceError(
                _("Enter every secret again: the base URL or a setting that decides where requests go has changed.")
            )
    account.credentials = merged
    account.label = label
    account.options = new_options  # keeps options other features added
    account.base_url = base_url
    account.is_active = is_active
    if changed or rerouted:
        account.token_cache = {}  # tokens belong to the old credentials and the old address
        account.last_error, account.last_error_stored = "", {}
    account.save()
    audit_record(
        team=team,
        actor=actor,
        action="provider.create" if creating else "provider.update",
        target=account,
        request=request,
        kind=account.kind,
        credentials_changed=changed,
        rerouted=rerouted,
    )
    return account


# What an account's deletion would take with it (call records cascade) or is refused for (SMS batches protect
# it): the history the team keeps. Named by their relations, as the feature apps sit above accounts.
HISTORY_RELATIONS = ("call_records", "sms_batches")


def provider_account_has_history(account: ProviderAccount) -> bool:
    return any(getattr(account, relation).exists() for relation in HISTORY_RELATIONS)


@transaction.atomic
def provider_account_delete(*, account: ProviderAccount, actor: User, request: HttpRequest | None = None) -> bool:
    """Deletes an account that holds no history; one that does is retired instead. True when it was deleted."""
    if provider_account_has_history(account):
        provider_account_retire(account=account, actor=actor, request=request)
        return False
    audit_record(
        team=account.team, actor=actor, action="provider.delete", target=account, request=request, kind=account.kind
    )
    account.delete()
    return True


@transaction.atomic
def provider_account_retire(*, account: ProviderAccount, actor: User, request: HttpRequest | None = None) -> None:
    """Switches the account off for good and erases its secrets; its call records and SMS batches stay with it."""
    account.is_active = False
    account.credentials, account.token_cache = {}, {}
    account.save(update_fields=["is_active", "credentials", "token_cache", "updated_at"])
    audit_record(
        team=account.team, actor=actor, action="provider.retire", target=account, request=request, kind=account.kind
    )
