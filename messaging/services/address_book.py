"""The team's address book: contacts, contact groups, saved templates and opt-outs.

Every write a person makes here goes through these functions and leaves an audit
event (contact files are imported by ``contact_import``, audited once per file).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest

from accounts.audit import audit_record
from accounts.models import Team, User

from ..models import Contact, ContactGroup, OptOut, SmsTemplate
from ..numbers import parse_number


@transaction.atomic
def contact_save(
    *,
    team: Team,
    actor: User,
    name: str,
    phone: str,
    groups: Iterable[ContactGroup],
    contact: Contact | None = None,
    request: HttpRequest | None = None,
) -> Contact:
    """Adds a contact (``contact`` None) or changes one; ``phone`` is E.164 (the form checked it)."""
    created = contact is None
    contact = contact if contact is not None else Contact(team=team)
    contact.name, contact.phone = name, phone
    contact.save()
    contact.groups.set(groups)
    audit_record(
        team=team,
        actor=actor,
        action="sms.contact_create" if created else "sms.contact_update",
        target=contact,
        request=request,
    )
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User, request: HttpRequest | None = None) -> None:
    audit_record(team=contact.team, actor=actor, action="sms.contact_delete", target=contact, request=request)
    contact.delete()


@transaction.atomic
def group_save(
    *, team: Team, actor: User, name: str, group: ContactGroup | None = None, request: HttpRequest | None = None
) -> ContactGroup:
    """Creates a group (``group`` None) or renames one."""
    created = group is None
    group = group if group is not None else ContactGroup(team=team)
    group.name = name
    group.save()
    audit_record(
        team=team,
        actor=actor,
        action="sms.group_create" if created else "sms.group_update",
        target=group,
        request=request,
    )
    return group


@transaction.atomic
def group_delete(*, group: ContactGroup, actor: User, request: HttpRequest | None = None) -> None:
    """Deletes the group; its contacts stay."""
    audit_record(team=group.team, actor=actor, action="sms.group_delete", target=group, request=request)
    group.delete()


@transaction.atomic
def template_create(
    *, team: Team, actor: User, name: str, text: str, request: HttpRequest | None = None
) -> SmsTemplate:
    template = SmsTemplate.objects.create(team=team, name=name, text=text)
    audit_record(team=team, actor=actor, action="sms.template_create", target=template, request=request)
    return template


@transaction.atomic
def template_delete(*, template: SmsTemplate, actor: User, request: HttpRequest | None = None) -> None:
    audit_record(team=template.team, actor=actor, action="sms.template_delete", target=template, request=request)
    template.delete()


@transaction.atomic
def opt_out_add(*, team: Team, actor: User, phone: str, reason: str = "", request: HttpRequest | None = None) -> OptOut:
    number = parse_number(phone)
    opt_out, _created = OptOut.objects.get_or_create(team=team, phone=number.e164, defaults={"reason": reason})
    audit_record(team=team, actor=actor, action="sms.opt_out", target=opt_out, request=request)
    return opt_out


@transaction.atomic
def opt_out_remove(*, opt_out: OptOut, actor: User, request: HttpRequest | None = None) -> None:
    """The number may receive the team's messages again."""
    audit_record(team=opt_out.team, actor=actor, action="sms.opt_out_remove", target=opt_out, request=request)
    opt_out.delete()
