"""The team's fax address book: contacts (a name, a company, a fax number, notes) and groups of them.

Every write a person makes goes through these functions and leaves an audit event; a file import is
audited once (``contacts_io``). Numbers are stored as fax numbers are: international digits, no ``+``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.audit import audited_delete, audited_save
from accounts.models import Team, User
from core import phones

from ..models import FaxContact, FaxContactGroup


@transaction.atomic
def contact_save(
    *,
    team: Team,
    actor: User,
    name: str,
    fax_number: str,
    company: str = "",
    notes: str = "",
    groups: Iterable[FaxContactGroup] = (),
    contact: FaxContact | None = None,
    request: HttpRequest | None = None,
) -> FaxContact:
    """Adds a contact (``contact`` None) or changes one; ``fax_number`` is international digits (checked)."""
    contact = contact if contact is not None else FaxContact(team=team)
    contact.name, contact.company, contact.fax_number, contact.notes = name, company, fax_number, notes
    audited_save(
        contact, team=team, actor=actor, create="fax.contact_create", update="fax.contact_update", request=request
    )
    contact.groups.set(groups)
    return contact


@transaction.atomic
def contact_delete(*, contact: FaxContact, actor: User, request: HttpRequest | None = None) -> None:
    audited_delete(contact, team=contact.team, actor=actor, action="fax.contact_delete", request=request)


@transaction.atomic
def group_save(
    *, team: Team, actor: User, name: str, group: FaxContactGroup | None = None, request: HttpRequest | None = None
) -> FaxContactGroup:
    """Creates a group (``group`` None) or renames one."""
    group = group if group is not None else FaxContactGroup(team=team)
    group.name = name
    return audited_save(
        group, team=team, actor=actor, create="fax.group_create", update="fax.group_update", request=request
    )


@transaction.atomic
def group_delete(*, group: FaxContactGroup, actor: User, request: HttpRequest | None = None) -> None:
    """Deletes the group; its contacts stay."""
    audited_delete(group, team=group.team, actor=actor, action="fax.group_delete", request=request)


def contacts_search(team: Team, *, text: str = "", group: FaxContactGroup | None = None) -> QuerySet[FaxContact]:
    """The team's contacts whose name, company, notes or number hold ``text`` (a number in any form)."""
    contacts = team.fax_contacts.prefetch_related("groups")
    if group is not None:
        contacts = contacts.filter(groups=group)
    text = text.strip()
    if text:
        match = Q(name__icontains=text) | Q(company__icontains=text) | Q(notes__icontains=text)
        digits = phones.digits_only(text)
        if len(digits) >= 3:
            national = digits.lstrip("0")  # 0212 555… is stored as 90212555…
            match |= Q(fax_number__contains=digits) | Q(fax_number__contains=national)
        contacts = contacts.filter(match)
    return contacts


def recipients_from_book(
    team: Team, *, contacts: Iterable[FaxContact] = (), groups: Iterable[FaxContactGroup] = ()
) -> list[FaxContact]:
    """The chosen contacts and every member of the chosen groups, each contact once, in the book's order."""
    ids = {c.pk for c in contacts}
    group_ids = [g.pk for g in groups]
    return list(team.fax_contacts.filter(Q(pk__in=ids) | Q(groups__in=group_ids)).distinct())


def names_by_number(team: Team, numbers: Iterable[str], chosen: Iterable[FaxContact] = ()) -> dict[str, str]:
    """The name a cover page greets each number with: a chosen contact's, else the book's one contact at it."""
    names = {c.fax_number: c.name for c in chosen}
    missing = [n for n in numbers if n not in names]
    found: dict[str, list[str]] = {}
    for number, name in team.fax_contacts.filter(fax_number__in=missing).values_list("fax_number", "name"):
        found.setdefault(number, []).append(name)
    names.update({number: people[0] for number, people in found.items() if len(people) == 1})
    return names
