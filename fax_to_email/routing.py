"""Which rule a received fax falls under, and the deliveries (one per address) it makes.

A fax is matched by the number it arrived on, as its provider recorded it (Pasifik's ``cld``, Telsam's
``did``, Verimor's ``original_destination``, Telphin's ``destination``: each gateway's ``our_number``),
in whichever form the provider writes it (``90212…``, ``0212…``, ``+90212…``). A fax no numbered rule
matches goes by the team's catch-all rule (no number), if there is one.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from core.phones import PhoneNumberError, digits_only, parse_international_digits, stored_digit_forms
from fax.models import Direction, Fax

from .models import Delivery, OptOut, RoutingRule

log = logging.getLogger(__name__)

EXTENSION_DIGITS = range(2, 16)  # a PBX extension or a short DID some providers write instead of a number


def number_key(typed: str) -> str:
    """A rule's number as stored: international digits (``902129630199``), or the digits of an extension.

    ``PhoneNumberError`` when it is neither."""
    try:
        return parse_international_digits(typed)
    except PhoneNumberError:
        digits = digits_only(typed)
        if digits and len(digits) in EXTENSION_DIGITS and digits == typed.strip().lstrip("+"):
            return digits
        raise


def rule_matches(rule_number: str, fax_number: str) -> bool:
    """Whether a provider's record of our number names the rule's number, in any form it writes it."""
    written = digits_only(fax_number)
    if not written or not rule_number:
        return False
    return written == rule_number or written in stored_digit_forms("+" + rule_number)


def rule_for(fax: Fax) -> RoutingRule | None:
    rules = list(RoutingRule.objects.filter(team_id=fax.team_id))
    for rule in rules:
        if rule.our_number and rule_matches(rule.our_number, fax.our_number):
            return rule
    return next((rule for rule in rules if not rule.our_number), None)


def recipients_of(rule: RoutingRule) -> list[dict[str, Any]]:
    """Each address once (members first): members who opted out and inactive accounts left out."""
    opted_out = set(OptOut.objects.filter(team_id=rule.team_id).values_list("user_id", flat=True))
    seen: set[str] = set()
    recipients: list[dict[str, Any]] = []
    for membership in rule.members.select_related("user").filter(team_id=rule.team_id).order_by("pk"):
        user = membership.user
        if not user.is_active or user.pk in opted_out or not user.email or user.email.lower() in seen:
            continue
        seen.add(user.email.lower())
        recipients.append({"email": user.email, "user": user, "language": user.language or rule.language})
    for address in rule.emails:
        if address.lower() not in seen:
            seen.add(address.lower())
            recipients.append({"email": address, "user": None, "language": rule.language})
    return recipients


def deliveries_create(*, fax: Fax) -> list[int]:
    """The fax's deliveries by its rule, each address once however often this runs; returns the new ones' ids."""
    if fax.direction != Direction.INCOMING:
        return []
    rule = rule_for(fax)
    if rule is None:
        return []
    created: list[int] = []
    with transaction.atomic():
        known = {e.lower() for e in Delivery.objects.filter(fax=fax).values_list("email", flat=True)}
        for recipient in recipients_of(rule):
            if recipient["email"].lower() in known:
                continue
            delivery = Delivery.objects.create(
                team_id=fax.team_id,
                fax=fax,
                rule=rule,
                user=recipient["user"],
                email=recipient["email"],
                language=recipient["language"],
                attach_document=rule.attach_document,
            )
            created.append(delivery.pk)
    return created


def deliveries_on_received(sender: Any, *, fax: Fax, **kwargs: Any) -> None:
    """fax's ``fax_document_received``: plan the mails and queue each once the rows are committed."""
    from .tasks import delivery_send_task

    for pk in deliveries_create(fax=Fax.objects.get(pk=fax.pk)):
        delivery_send_task.delay_on_commit(pk)
