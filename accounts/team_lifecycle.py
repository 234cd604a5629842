"""A team's life after it was created: its owner hands it over, a member leaves, the owner deletes it.

Each is a service that checks everything first and changes nothing when it refuses
(``LifecycleError``, a message for the person); each leaves an audit event. Deleting keeps
its last audit event outside the team (``team`` empty, the team's id and name in its details):
no team page shows it, Django admin does.
"""

from __future__ import annotations

from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Membership, ProviderAccount, Team, User
from .roles import Role
from .services import ServiceError, last_owner_message
from .team_files import team_files, team_files_remove
from .throttle import within_limit
from .two_factor import has_two_factor, two_factor_verify


class LifecycleError(ServiceError):
    """A refusal whose message can be shown as is; nothing was changed."""


# Confirmations (right or wrong) per person in a window: a stolen session cannot guess the password here.
CONFIRM_LIMIT = 10
CONFIRM_WINDOW_SECONDS = 15 * 60


def _too_many_tries(user: User) -> bool:
    return not within_limit("team-confirm", str(user.pk), limit=CONFIRM_LIMIT, window_seconds=CONFIRM_WINDOW_SECONDS)


def too_many_tries_message() -> str:
    return _("Too many tries. Wait a quarter of an hour and try again. Nothing was changed.")


def no_password_message() -> str:
    return _(
        'Your account has no password (you sign in with single sign-on). Set one with "Forgot password?" '
        "on the log-in page, then confirm with it. Nothing was changed."
    )


def is_last_owner(membership: Membership) -> bool:
    return (
        membership.role == Role.OWNER
        and not membership.team.memberships.filter(role=Role.OWNER).exclude(pk=membership.pk).exists()
    )


@transaction.atomic
def team_ownership_transfer(
    *, owner: Membership, new_owner: Membership, password: str, request: HttpRequest | None = None
) -> Membership:
    """The owner hands the team to one of its admins and becomes an admin."""
    if owner.role != Role.OWNER:
        raise LifecycleError(_("Only the team's owner can transfer ownership."))
    if not owner.user.has_usable_password():
        raise LifecycleError(no_password_message())
    if _too_many_tries(owner.user):
        raise LifecycleError(too_many_tries_message())
    if not owner.user.check_password(password):
        raise LifecycleError(_("Your password is not right. Nothing was changed."))
    # Read again under lock: a role changed since the page was drawn counts, not the one shown.
    new_owner = Membership.objects.select_for_update().select_related("user").get(pk=new_owner.pk)
    if new_owner.team_id != owner.team_id:
        raise LifecycleError(_("That person is not a member of this team. Nothing was changed."))
    if new_owner.pk == owner.pk:
        raise LifecycleError(_("You are the owner already. Choose an admin of the team."))
    if new_owner.role != Role.ADMIN:
        raise LifecycleError(
            _("Only an admin can become the owner: %(person)s is %(role)s. Make them an admin first.")
            % {"person": new_owner.user, "role": new_owner.get_role_display()}
        )
    Membership.objects.filter(pk=new_owner.pk).update(role=Role.OWNER)
    Membership.objects.filter(pk=owner.pk).update(role=Role.ADMIN)
    new_owner.role, owner.role = Role.OWNER, Role.ADMIN
    audit_record(
        team=owner.team,
        actor=owner.user,
        action="team.transfer_ownership",
        target=owner.team,
        request=request,
        new_owner=new_owner.user.email,
        old_owner=owner.user.email,
    )
    return new_owner


@transaction.atomic
def team_leave(*, membership: Membership, request: HttpRequest | None = None) -> None:
    """A member leaves the team; its last owner cannot."""
    membership = Membership.objects.select_for_update().select_related("team", "user").get(pk=membership.pk)
    if is_last_owner(membership):
        raise LifecycleError(last_owner_message())
    audit_record(
        team=membership.team,
        actor=membership.user,
        action="member.leave",
        target=membership,
        request=request,
        email=membership.user.email,
        role=membership.role,
    )
    membership.delete()


def team_delete_problem(*, owner: Membership, confirm_name: str, password: str, code: str) -> str | None:
    """Why the owner's confirmation is not enough, or None."""
    if owner.role != Role.OWNER:
        return _("Only the team's owner can delete it.")
    if confirm_name != owner.team.name:
        return _("The name you typed is not the team's name. Nothing was deleted.")
    if not owner.user.has_usable_password():
        return no_password_message()
    if _too_many_tries(owner.user):
        return too_many_tries_message()
    if not owner.user.check_password(password):
        return _("Your password is not right. Nothing was deleted.")
    if has_two_factor(owner.user):
        if not code.strip():
            return _("Enter the code from your authenticator app. Nothing was deleted.")
        verification = two_factor_verify(user=owner.user, code=code)
        if not verification.ok:
            return _("The two-factor code is not right (or was used already). Nothing was deleted.")
    return None


def _delete_rows_protecting_accounts(team: Team) -> None:
    """Rows that keep a provider account from being deleted (``on_delete=PROTECT``, an SMS batch's account)
    go first: Django refuses to cascade through a protecting key even when the row would go by another path.
    They all point at this team's accounts, so they are this team's rows."""
    for relation in ProviderAccount._meta.related_objects:
        if relation.on_delete is models.PROTECT:
            relation.related_model._default_manager.filter(**{f"{relation.field.name}__team": team}).delete()


def team_delete(
    *, owner: Membership, confirm_name: str, password: str, code: str = "", request: HttpRequest | None = None
) -> str:
    """Deletes the team with everything it owns: rows (provider credentials among them) and stored files.

    The owner confirms with the team's exact name, the password and, when enrolled, a two-factor
    code. Other teams are untouched: every row goes through the team's own cascade, every file is
    one its rows or its own folders name. Work queued for the team finds its rows gone and stops.
    Returns the team's name.
    """
    problem = team_delete_problem(owner=owner, confirm_name=confirm_name, password=password, code=code)
    if problem:
        raise LifecycleError(problem)
    return team_erase(team=owner.team, actor=owner.user, request=request)


def team_erase(*, team: Team, actor: User | None, request: HttpRequest | None = None) -> str:
    """The deletion itself, once confirmed (by the owner's page, or by an operator in Django admin)."""
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        files = team_files(team)
        audit_record(
            team=None,
            actor=actor,
            action="team.delete",
            target=team,
            request=request,
            team_id=team.pk,
            team_name=team.name,
            members=team.memberships.count(),
            provider_accounts=team.provider_accounts.count(),
        )
        _delete_rows_protecting_accounts(team)
        team.delete()  # provider accounts (and their encrypted credentials) go with it, not hidden
        transaction.on_commit(lambda: team_files_remove(files))
    return team.name
