"""Single sign-on: the team's connection, and the sign-in from the provider's answer to a session.

The only place that writes single sign-on state. A verified email is matched to a member of the team whose
connection was used; nobody is created unless the owner allowed the email's domain. Two-factor login:
the provider's multi-factor assertion satisfies the team's requirement only when the owner said so;
otherwise a person with an authenticator app still enters its code (``two_factor_views``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import Membership, Team, User
from .roles import Role
from .sso_models import TeamSSO
from .sso_oidc import (
    Pending,
    SSOError,
    asserts_mfa,
    authorization_url,
    discover,
    exchange_code,
    new_pending,
    verified_email,
    verify_id_token,
    with_userinfo,
)

PENDING_SESSION_KEY = "sso_pending"
# A sign-in started longer ago than this is refused (the provider's own login can take a while).
PENDING_SECONDS = 15 * 60


def active_connection(slug: str) -> TeamSSO | None:
    return TeamSSO.objects.select_related("team").filter(slug=slug, is_active=True).first()


# --- the owner's settings ---------------------------------------------------------------------------------


@transaction.atomic
def sso_save(
    *,
    team: Team,
    actor: User,
    slug: str,
    display_name: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    allowed_domains: list[str],
    password_login_disabled: bool,
    provider_mfa_counts: bool,
    is_active: bool,
    request: HttpRequest | None = None,
) -> TeamSSO:
    """Creates or changes the team's connection; an empty ``client_secret`` keeps the stored one."""
    connection = TeamSSO.objects.select_for_update().filter(team=team).first()
    created = connection is None
    if connection is None:
        connection = TeamSSO(team=team)
    values: dict[str, Any] = {
        "slug": slug,
        "display_name": display_name,
        "issuer": issuer.rstrip("/"),
        "client_id": client_id,
        "allowed_domains": sorted({d.lower() for d in allowed_domains}),
        "password_login_disabled": password_login_disabled,
        "provider_mfa_counts": provider_mfa_counts,
        "is_active": is_active,
    }
    changed = sorted(name for name, value in values.items() if getattr(connection, name) != value)
    for name, value in values.items():
        setattr(connection, name, value)
    secret_changed = bool(client_secret)
    if secret_changed:
        connection.secrets = {"client_secret": client_secret}
    if created or changed or secret_changed:
        connection.save()
        audit_record(
            team=team,
            actor=actor,
            action="sso.create" if created else "sso.update",
            target=connection,
            request=request,
            fields=changed,
            credentials_changed=secret_changed,
        )
    return connection


@transaction.atomic
def sso_delete(*, team: Team, actor: User, request: HttpRequest | None = None) -> None:
    connection = TeamSSO.objects.filter(team=team).first()
    if connection is None:
        return
    audit_record(team=team, actor=actor, action="sso.delete", target=connection, request=request)
    connection.delete()


def password_login_blocked_by(user: User) -> TeamSSO | None:
    """The connection of a team of ``user`` that turned password login off, if any.

    One such team is enough: a password session reaches every team of the person, so the strictest team
    decides (docs/sso.md).
    """
    return (
        TeamSSO.objects.filter(team__memberships__user=user, password_login_disabled=True, is_active=True)
        .order_by("team__name", "pk")
        .first()
    )


# --- the sign-in ------------------------------------------------------------------------------------------


def start(*, request: HttpRequest, connection: TeamSSO, redirect_uri: str, login_hint: str, next_url: str) -> str:
    """Remembers state, nonce and PKCE verifier in the session; returns the provider's authorization URL."""
    discovery = discover(connection.issuer)
    pending = new_pending()
    # One pending sign-in per session: a newer start replaces an older one.
    request.session[PENDING_SESSION_KEY] = {
        "connection": connection.pk,
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
        "at": time.time(),
    }
    return authorization_url(
        discovery=discovery,
        client_id=connection.client_id,
        redirect_uri=redirect_uri,
        pending=pending,
        login_hint=login_hint,
    )


@dataclass(frozen=True)
class SignIn:
    """A person the provider vouched for, matched to a member of the connection's team."""

    user: User
    team: Team
    connection: TeamSSO
    mfa_asserted: bool
    created: bool
    next_url: str

    @property
    def mfa_counts(self) -> bool:
        return self.mfa_asserted and self.connection.provider_mfa_counts


def finish(*, request: HttpRequest, params: dict[str, str]) -> SignIn:
    """Checks the provider's answer and finds the member; SSOError (nothing changed) when anything is off.

    The error carries the provider's name (``connection_name``) once the pending sign-in named it.
    """
    pending = request.session.pop(PENDING_SESSION_KEY, None)
    if not pending or pending.get("state") != params.get("state"):
        raise SSOError("state")
    if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        raise SSOError("state", "expired")
    connection = TeamSSO.objects.select_related("team").filter(pk=pending["connection"], is_active=True).first()
    if connection is None:
        raise SSOError("state", "connection gone")
    try:
        return _finish(request=request, params=params, pending=pending, connection=connection)
    except SSOError as error:
        error.connection_name = connection.display_name
        raise


def _finish(*, request: HttpRequest, params: dict[str, str], pending: dict[str, Any], connection: TeamSSO) -> SignIn:
    if params.get("error"):
        raise SSOError("provider_refused", params["error"][:100])
    discovery = discover(connection.issuer)
    # RFC 9207: a provider that names itself in the answer must be the one we sent the person to.
    if params.get("iss") and params["iss"] != discovery.issuer:
        raise SSOError("claim_iss", "authorization response")
    if not params.get("code"):
        raise SSOError("token", "no code")
    if connection.secret_unreadable:
        raise SSOError("secret_unreadable")
    tokens = exchange_code(
        discovery=discovery,
        client_id=connection.client_id,
        client_secret=connection.client_secret,
        redirect_uri=pending["redirect_uri"],
        code=params["code"],
        pending=Pending(state=pending["state"], nonce=pending["nonce"], code_verifier=pending["verifier"]),
    )
    claims = verify_id_token(
        id_token=tokens.id_token, discovery=discovery, client_id=connection.client_id, nonce=pending["nonce"]
    )
    claims = with_userinfo(claims=claims, discovery=discovery, access_token=tokens.access_token)
    email = verified_email(claims)
    if email is None:
        raise SSOError("email_unverified", str(claims.get("email", ""))[:200])
    user, created = _member_for(connection=connection, email=email, claims=claims, request=request)
    return SignIn(
        user=user,
        team=connection.team,
        connection=connection,
        mfa_asserted=asserts_mfa(claims),
        created=created,
        next_url=str(pending.get("next") or ""),
    )


@transaction.atomic
def _member_for(*, connection: TeamSSO, email: str, claims: dict[str, Any], request: HttpRequest) -> tuple[User, bool]:
    team = connection.team
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise SSOError("inactive", email)
    if user is not None and Membership.objects.filter(team=team, user=user).exists():
        return user, False
    if not connection.allows_domain(email):
        raise SSOError("not_member", email)
    created = user is None
    if user is None:
        name = claims.get("name")
        user = User.objects.create_user(email, full_name=name[:150] if isinstance(name, str) else "")
        # The provider is the only way in until the person sets a password (reset by email).
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.create(team=team, user=user, role=Role.VIEWER)
    audit_record(
        team=team,
        actor=user,
        action="sso.member_create",
        target=user,
        request=request,
        email=email,
        role=Role.VIEWER.value,
        new_account=created,
    )
    return user, created


def signed_in(*, sign_in: SignIn, request: HttpRequest) -> None:
    """Notes the successful sign-in (the owner sees it works) in the connection and the audit log."""
    TeamSSO.objects.filter(pk=sign_in.connection.pk).update(last_sign_in_at=timezone.now())
    audit_record(
        team=sign_in.team,
        actor=sign_in.user,
        action="sso.sign_in",
        target=sign_in.user,
        request=request,
        mfa=sign_in.mfa_asserted,
    )


def error_message(error: SSOError, *, connection_name: str = "") -> str:
    """What the person reads for a refused sign-in (in their language)."""
    name = connection_name or _("your company's sign-in")
    messages = {
        "state": _("This sign-in expired or was already used. Start again."),
        "provider_refused": _("%(name)s did not sign you in (%(detail)s).") % {"name": name, "detail": error.detail},
        "unreachable": _("%(name)s could not be reached. Try again in a moment.") % {"name": name},
        "refused": _("The address of %(name)s is not allowed by this portal's operator.") % {"name": name},
        "discovery": _("%(name)s did not describe itself as expected; ask your team's owner to check its issuer URL.")
        % {"name": name},
        "token": _("%(name)s did not give a usable answer (%(detail)s).") % {"name": name, "detail": error.detail},
        "secret_unreadable": _("The client secret of %(name)s must be entered again by your team's owner.")
        % {"name": name},
        "signature": _("The answer of %(name)s is not signed with its keys; nobody was signed in.") % {"name": name},
        "expired": _("The answer of %(name)s has expired. Check this computer's clock and start again.")
        % {"name": name},
        "email_unverified": _("%(name)s did not confirm that your email address is verified, so it cannot be used.")
        % {"name": name},
        "not_member": _("%(email)s is not a member of this team. Ask an admin of the team to invite you.")
        % {"email": error.detail},
        "inactive": _("This account is inactive."),
    }
    if error.key.startswith("claim_"):
        return _("The answer of %(name)s was not meant for this portal (%(claim)s); nobody was signed in.") % {
            "name": name,
            "claim": error.key.removeprefix("claim_"),
        }
    return messages.get(error.key, _("Single sign-on failed. Start again."))


def redirect_uri_for(request: HttpRequest) -> str:
    """The one callback address of every team (registered at the provider; shown on the settings page)."""
    return request.build_absolute_uri(reverse("sso-callback"))
