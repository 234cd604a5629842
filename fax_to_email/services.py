"""Writing a team's fax-to-email settings: rules, members' opt-outs, a provider's own setting; each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Membership, ProviderAccount, Team, User
from accounts.provider_clients import client_for
from accounts.provider_errors import describe
from accounts.provider_specs.telphin import TELPHIN
from providers.errors import ProviderError

from .models import OptOut, ProviderMailto, RoutingRule


class MailtoError(Exception):
    """The provider did not take the addresses; the message says why, in the reader's language."""


@transaction.atomic
def rule_save(
    *,
    team: Team,
    actor: User,
    our_number: str,
    members: list[Membership],
    emails: list[str],
    attach_document: bool,
    language: str,
    rule: RoutingRule | None = None,
    request: HttpRequest | None = None,
) -> RoutingRule:
    created = rule is None
    rule = rule or RoutingRule(team=team)
    rule.our_number, rule.emails = our_number, emails
    rule.attach_document, rule.language = attach_document, language
    rule.save()
    rule.members.set([m for m in members if m.team_id == team.pk])
    audit_record(
        team=team,
        actor=actor,
        action="fax_mail.rule_create" if created else "fax_mail.rule_update",
        target=rule,
        request=request,
        our_number=our_number or "*",
        members=sorted(m.user.email for m in members),
        emails=emails,
        attach_document=attach_document,
        language=language,
    )
    return rule


@transaction.atomic
def rule_delete(*, rule: RoutingRule, actor: User, request: HttpRequest | None = None) -> None:
    audit_record(
        team=rule.team,
        actor=actor,
        action="fax_mail.rule_delete",
        target=rule,
        request=request,
        our_number=rule.our_number or "*",
    )
    rule.delete()


@transaction.atomic
def opt_out_set(*, team: Team, user: User, opted_out: bool, request: HttpRequest | None = None) -> bool:
    """The member's choice; returns whether it changed anything."""
    if opted_out:
        changed = OptOut.objects.get_or_create(team=team, user=user)[1]
    else:
        changed = OptOut.objects.filter(team=team, user=user).delete()[0] > 0
    if changed:
        action = "fax_mail.opt_out" if opted_out else "fax_mail.opt_in"
        audit_record(team=team, actor=user, action=action, target=user, request=request)
    return changed


def is_opted_out(*, team: Team, user: Any) -> bool:
    return OptOut.objects.filter(team=team, user_id=user.pk).exists()


def provider_mailto_set(
    *, account: ProviderAccount, addresses: list[str], actor: User, request: HttpRequest | None = None
) -> ProviderMailto:
    """Sets the provider's own fax-to-email addresses; ``MailtoError`` with the reason when it refuses."""
    client = client_for(account, TELPHIN)
    try:
        stored = client.fax_mailto_set(addresses)
    except ProviderError as exc:
        raise MailtoError(describe(exc)) from exc
    with transaction.atomic():
        setting, _created = ProviderMailto.objects.update_or_create(
            account=account, defaults={"addresses": stored, "set_at": timezone.now(), "set_by": actor}
        )
        audit_record(
            team=account.team,
            actor=actor,
            action="provider.fax_mailto",
            target=account,
            request=request,
            addresses=stored,
        )
    return setting
