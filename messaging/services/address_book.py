"""The team's address book: contacts, contact groups, saved templates and opt-outs.

Every write a person makes here goes through these functions and leaves an audit
event (contact files are imported by ``contact_import``, audited once per file).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest

from accounts.audit import audit_record, audited_delete, audited_save
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
    contact = contact if contact is not None else Contact(team=team)
    contact.name, contact.phone = name, phone
    audited_save(
        contact, team=team, actor=actor, create="sms.contact_create", update="sms.contact_update", request=request
    )
    contact.groups.set(groups)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User, request: HttpRequest | None = None) -> None:
    audited_delete(contact, team=contact.team, actor=actor, action="sms.contact_delete", request=request)


@transaction.atomic
def group_save(
    *, team: Team, actor: User, name: str, group: ContactGroup | None = None, request: HttpRequest | None = None
) -> ContactGroup:
    """Creates a group (``group`` None) or renames one."""
    group = group if group is not None else ContactGroup(team=team)
    group.name = name
    return audited_save(
        group, team=team, actor=actor, create="sms.group_create", update="sms.group_update", request=request
    )


@transaction.atomic
def group_delete(*, group: ContactGroup, actor: User, request: HttpRequest | None = None) -> None:
    """Deletes the group; its contacts stay."""
    audited_delete(group, team=group.team, actor=actor, action="sms.group_delete", request=request)


@transaction.atomic
def template_create(
    *, team: Team, actor: User, name: str, text: str, request: HttpRequest | None = None
) -> SmsTemplate:
    template = SmsTemplate.objects.create(team=team, name=name, text=text)
    audit_record(team=team, actor=actor, action="sms.template_create", target=template, request=request)
    return template


@transaction.atomic
def template_delete(*, template: SmsTemplate, actor: User, request: HttpRequest | None = None) -> None:
    audited_delete(template, team=template.team, actor=actor, action="sms.template_delete", request=request)


@transaction.atomic
def opt_out_add(*, team: Team, actor: User, phone: str, reason: str = "", request: HttpRequest | None = None) -> OptOut:
    number = parse_number(phone)
    opt_out, _created = OptOut.objects.get_or_create(team=team, phone=number.e164, defaults={"reason": reason})
    audit_record(team=team, actor=actor, action="sms.opt_out", target=opt_out, request=request)
    return opt_out


@transaction.atomic
def opt_out_remove(*, opt_out: OptOut, actor: User, request: HttpRequest | None = None) -> None:
    """The number may receive the team's messages again."""
    audited_delete(opt_out, team=opt_out.team, actor=actor, action="sms.opt_out_remove", request=request)
