"""Queues one demo fax through every fax-capable account of the demo team, so `make demo` shows sent faxes.

Run after ``demo_setup`` (the sandbox need not be up yet: the sends wait in the
queue for the worker). It also queues a first inbox fetch a few seconds out, so
received faxes show up without waiting for beat. Run again at will: an account
that already sent a fax is skipped.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Team
from fax import services
from fax.documents import inspect
from fax.forms import account_numbers
from fax.gateways import CAPABILITIES
from fax.models import Direction
from fax.tasks import fetch_incoming_for_account
from telcoportal.providers.files import PDF
from telcoportal.sandbox.media import pdf_bytes

DEMO_TEAM = "Demo Lojistik A.Ş."
DEMO_RECIPIENT = "902125550123"  # the sandboxes deliver to it
FIRST_FETCH_AFTER = 15  # seconds


def demo_document() -> bytes:
    return pdf_bytes(
        "Telcoportal demo fax",
        (
            ("Telcoportal demo fax", "Page 1 of 2", "Sipariş onayı / Order confirmation"),
            ("Telcoportal demo fax", "Page 2 of 2", "Teşekkürler / Thank you"),
        ),
    )


class Command(BaseCommand):
    help = "Queues a demo fax through each fax account of the demo team."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--team", default=DEMO_TEAM)

    def handle(self, *args: Any, team: str, **options: Any) -> None:
        found = Team.objects.filter(name=team).first()
        if found is None:
            self.stderr.write(f"no team named {team!r}: run demo_setup first")
            return
        content = demo_document()
        pages = inspect(content, accepted=[PDF]).pages
        for account in found.provider_accounts.filter(is_active=True, kind__in=list(CAPABILITIES)):
            if account.faxes.filter(direction=Direction.OUTGOING).exists():
                self.stdout.write(f"  {account.label}: has sent a fax already")
                continue
            numbers = account_numbers(account)
            if not numbers and CAPABILITIES[account.kind].needs_our_number:
                self.stdout.write(f"  {account.label}: no fax number in its options, skipped")
                continue
            with transaction.atomic():
                draft = services.draft_create(
                    team=found,
                    actor=None,
                    account=account,
                    our_number=numbers[0] if numbers else "",
                    recipients=[DEMO_RECIPIENT],
                    quality="fine",
                    scheduled_at=None,
                    uploads=[services.Upload("demo-fax.pdf", content, PDF, pages)],
                )
            services.draft_render(draft_id=draft.pk)
            draft.refresh_from_db()
            with transaction.atomic():
                services.draft_confirm(draft=draft, actor=None)
            self.stdout.write(self.style.SUCCESS(f"  {account.label}: demo fax queued"))
        # The first inbox fetch, soon after the worker (and the sandbox beside it) start; beat repeats it.
        for account_id in found.provider_accounts.filter(is_active=True).values_list("pk", flat=True):
            fetch_incoming_for_account.apply_async((account_id,), countdown=FIRST_FETCH_AFTER)
