"""Fax-to-email objects for the URL × role × team access matrix (``TEAM_OBJECT_FACTORIES``)."""

from __future__ import annotations

from itertools import count
from typing import Any

from django.core.files.base import ContentFile

from fax.models import Direction, FaxDocument
from fax_to_email.models import Delivery, RoutingRule
from tests.fax.factories import fax_with_documents, two_page_pdf

_numbers = count(100)


def rule_in(team: Any, **fields: Any) -> RoutingRule:
    """A rule for a number of its own (several in one team never collide)."""
    number = f"9021296{next(_numbers):05d}"
    values: dict[str, Any] = {"our_number": number, "emails": ["desk@example.com"], "language": "en"}
    return RoutingRule.objects.create(team=team, **{**values, **fields})


def delivery_in(team: Any, **fields: Any) -> Delivery:
    fax = fax_with_documents(team, direction=Direction.INCOMING, status="received", our_number="902129630199")
    received = FaxDocument(fax=fax, role=FaxDocument.Role.RECEIVED, filename="fax.pdf", media_type="application/pdf")
    received.file.save("fax.pdf", ContentFile(two_page_pdf()), save=True)
    values: dict[str, Any] = {"email": "desk@example.com", "language": "en", "state": Delivery.State.FAILED}
    return Delivery.objects.create(team=team, fax=fax, **{**values, **fields})


TEAM_OBJECT_FACTORIES = {
    RoutingRule: lambda team: rule_in(team),
    Delivery: lambda team: delivery_in(team),
}
