"""Making, finding and revoking API tokens. The secret is shown once; only its SHA-256 is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import audit_record, client_ip
from accounts.models import Membership

from .models import ApiToken

TOKEN_START = "tp_"
PREFIX_BYTES = 6  # 12 hex characters: public, only to find the row
SECRET_BYTES = 32  # 256 bits: a hash without salt or stretching is enough for a secret this random
EXPIRY_DAYS = (30, 90, 365)
LAST_USED_EVERY = timedelta(minutes=1)  # "last used" is written at most this often per token


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str  # shown to its owner once, never stored


@transaction.atomic
def token_create(
    *, membership: Membership, name: str, scope: str, days: int, request: HttpRequest | None = None
) -> NewToken:
    prefix = secrets.token_hex(PREFIX_BYTES)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        team=membership.team,
        membership=membership,
        name=name,
        scope=scope,
        prefix=prefix,
        secret_hash=digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        team=membership.team, actor=membership.user, action="api_token.create", target=token, request=request,
        name=name, scope=scope, days=days,
    )  # fmt: skip
    return NewToken(token=token, raw=raw)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Membership, request: HttpRequest | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            team=token.team, actor=actor.user, action="api_token.revoke", target=token, request=request,
            name=token.name,
        )  # fmt: skip


class TokenRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "invalid", "revoked" or "expired"


def token_find(raw: str) -> ApiToken:
    """The active token ``raw`` is, or ``TokenRefused``; the comparison takes the same time whatever matches."""
    start, _, rest = raw.partition(TOKEN_START)
    prefix, sep, secret = rest.partition("_")
    if start or not sep or not secret or len(raw) > 200:
        raise TokenRefused("invalid")
    token = ApiToken.objects.select_related("team", "membership__user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest(raw)):
        raise TokenRefused("invalid")
    if token.is_revoked:
        raise TokenRefused("revoked")
    if token.is_expired:
        raise TokenRefused("expired")
    return token


def token_used(token: ApiToken, request: HttpRequest) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=client_ip(request))
        token.last_used_at = now
