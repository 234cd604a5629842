"""The team's address book: contacts, contact groups, saved templates and opt-outs."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.audit import audit_record
from accounts.models import Team, User

from ..models import OptOut
from ..numbers import parse_number


def opt_out_add(*, team: Team, actor: User, phone: str, reason: str = "", request: HttpRequest | None = None) -> OptOut:
    number = parse_number(phone)
    opt_out, _created = OptOut.objects.get_or_create(team=team, phone=number.e164, defaults={"reason": reason})
    audit_record(team=team, actor=actor, action="sms.opt_out", target=opt_out, request=request)
    return opt_out
