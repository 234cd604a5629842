"""Signed links in the mails: the document of one delivery (expiring), and a member's opt-out.

A link carries only ids, signed with the portal's SECRET_KEY and a salt of its own, so it cannot be
made up or turned into another; the views look the rows up again (a deleted fax or document is a 404).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

DOCUMENT_SALT = "fax_to_email.document"
OPT_OUT_SALT = "fax_to_email.opt_out"
OPT_OUT_MAX_AGE = timedelta(days=365)


def absolute_url(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def link_max_age() -> timedelta:
    return timedelta(days=settings.FAX_EMAIL_LINK_DAYS)


def document_link(delivery_id: int) -> str:
    token = signing.TimestampSigner(salt=DOCUMENT_SALT).sign(str(delivery_id))
    return absolute_url(reverse("fax-mail-document", args=[token]))


def document_link_read(token: str) -> int | None:
    """The delivery a document link names, if it is genuine and not expired."""
    try:
        value = signing.TimestampSigner(salt=DOCUMENT_SALT).unsign(token, max_age=link_max_age())
    except signing.BadSignature:  # SignatureExpired included
        return None
    return int(value) if value.isdigit() else None


def opt_out_link(team_id: int, user_id: int) -> str:
    token = signing.TimestampSigner(salt=OPT_OUT_SALT).sign(f"{team_id}.{user_id}")
    return absolute_url(reverse("fax-mail-opt-out-link", args=[token]))


def opt_out_link_read(token: str) -> tuple[int, int] | None:
    try:
        value = signing.TimestampSigner(salt=OPT_OUT_SALT).unsign(token, max_age=OPT_OUT_MAX_AGE)
    except signing.BadSignature:
        return None
    team, _dot, user = value.partition(".")
    return (int(team), int(user)) if team.isdigit() and user.isdigit() else None
