"""Two-factor login: TOTP devices (django-otp) and one-time recovery codes.

The only place that writes two-factor state. A person has at most one confirmed
TOTP device; its throttle (each wrong code doubles the wait) also counts wrong
recovery codes, so guessing either kind is slowed the same way.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.cached_reads import cached_read, cached_read_forget

from .audit import audit_for_user, audit_record
from .models import RecoveryCode, Team, User, hash_token
from .sso_models import TeamSSO

RECOVERY_CODE_COUNT = 10
# No 0/O or 1/I/L: codes are read off paper and typed by hand.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def confirmed_device(user: User) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


# Asked on every request (TwoFactorSessionMiddleware): kept in the shared cache until the person's devices
# change (the signals below), so a device confirmed in one browser still logs the others out at once. A
# minute at most: when the cache could not be told of a change (it failed during the write), a session
# without the second factor is asked for it within a minute, not ten (one indexed read a person a minute).
TWO_FACTOR_CACHE_SECONDS = 60


def two_factor_scope(user_id: int) -> str:
    return f"two_factor:{user_id}"


def has_two_factor(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return cached_read(
        two_factor_scope(user.pk),
        "confirmed",
        lambda: TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        seconds=TWO_FACTOR_CACHE_SECONDS,
    )


@receiver(post_save, sender=TOTPDevice, dispatch_uid="accounts.two_factor_device_saved")
@receiver(post_delete, sender=TOTPDevice, dispatch_uid="accounts.two_factor_device_deleted")
def _device_changed(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    cached_read_forget(two_factor_scope(instance.user_id))


def session_is_verified(user: User) -> bool:
    """True when this session passed a second factor (OTPMiddleware sets ``is_verified``)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


# The log-in waiting for its code step: {"user", "backend", "next", "at"} (two_factor_views.TwoFactorVerifyView).
PENDING_LOGIN_SESSION_KEY = "two_factor_pending"

# The team whose single sign-on provider asserted multi-factor login for this session, set at sign-in when the
# team's owner lets that count (accounts/sso_views.py); it stands for our code step for that team only.
PROVIDER_MFA_SESSION_KEY = "two_factor_by_provider"


def provider_mfa_counts(request: HttpRequest, team: Team) -> bool:
    """True when this session's provider sign-in satisfies ``team``'s two-factor requirement (still allowed)."""
    if request.session.get(PROVIDER_MFA_SESSION_KEY) != team.pk:
        return False
    return TeamSSO.objects.filter(team=team, provider_mfa_counts=True, is_active=True).exists()


def pending_device(*, user: User) -> TOTPDevice:
    """The device being set up: reused until confirmed, so a reload keeps the same key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def manual_key(device: TOTPDevice) -> str:
    """The secret as authenticator apps want it typed: base32 in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URL as an inline SVG (no external image, no CDN)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    return mark_safe(svg)  # noqa: S308 - segno's own markup, the URL inside is escaped by segno


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@transaction.atomic
def recovery_codes_generate(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Replaces every recovery code of ``user``; returns the new ones (shown once, stored hashed)."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=hash_token(normalize_code(c))) for c in codes)
    audit_for_user(user=user, action="two_factor.recovery_codes", request=request)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def two_factor_enable(*, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None) -> list[str]:
    """Confirms the device being set up with a first code; returns the recovery codes.

    Raises ``ValueError`` when the code does not match.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(normalize_code(code)):
        raise ValueError("wrong code")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_for_user(user=user, action="two_factor.enable", request=request)
    return recovery_codes_generate(user=user, request=request)


@transaction.atomic
def two_factor_disable(*, user: User, request: HttpRequest | None = None) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_for_user(user=user, action="two_factor.disable", request=request)


@dataclass(frozen=True)
class Verification:
    ok: bool
    device: TOTPDevice | None = None
    used_recovery_code: bool = False
    locked_until: datetime | None = None


def two_factor_verify(*, user: User, code: str, request: HttpRequest | None = None) -> Verification:
    """Checks a TOTP code or, failing that shape, a recovery code (which is then spent)."""
    device = confirmed_device(user)
    if device is None:
        return Verification(ok=False)
    normalized = normalize_code(code)
    if normalized.isdigit() and len(normalized) == device.digits:
        return _totp_verify(device, normalized)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return Verification(ok=False, device=device, locked_until=(info or {}).get("locked_until"))
    with transaction.atomic():
        spent = RecoveryCode.objects.filter(user=user, code_hash=hash_token(normalized), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    if not spent:
        device.throttle_increment()
        return Verification(ok=False, device=device)
    device.throttle_reset()
    audit_for_user(
        user=user, action="two_factor.recovery_code_used", request=request, codes_left=recovery_codes_left(user)
    )
    return Verification(ok=True, device=device, used_recovery_code=True)


@transaction.atomic
def _totp_verify(device: TOTPDevice, token: str) -> Verification:
    # The row lock makes concurrent posts of one code take turns: the first stores the used
    # time step (last_t) and the throttle, and every later one reads them and is refused.
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return Verification(ok=False, device=device, locked_until=(info or {}).get("locked_until"))
    # verify_token keeps the throttle itself, refuses a code already used and saves last_t.
    return Verification(ok=device.verify_token(token), device=device)


class TwoFactorError(Exception):
    """A refusal whose message can be shown to the person as is."""


def team_require_two_factor(*, team: Team, actor: User, required: bool, request: HttpRequest | None = None) -> Team:
    if required and not has_two_factor(actor):
        # The owner would lock themself out on the next page.
        raise TwoFactorError(_("Turn on two-factor login for yourself first."))
    if team.require_two_factor != required:
        team.require_two_factor = required
        team.save(update_fields=["require_two_factor"])
        audit_record(
            team=team, actor=actor, action="team.require_two_factor", target=team, request=request, required=required
        )
    return team
