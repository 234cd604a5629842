"""Queues one demo fax through each sandbox account ``demo_setup`` made, so `make demo` shows sent faxes.

Run after ``demo_setup`` (the sandbox need not be up yet: the sends wait in the
queue for the worker). It also queues a first inbox fetch a few seconds out, so
received faxes show up without waiting for beat. Run again at will: an account
that already sent a fax is skipped.

Only the accounts ``demo_setup`` itself made are used, recognised by their
label, their sandbox address and their sandbox credentials: an account a
person added to the demo team (maybe with real credentials) never sends a
demo fax and is never polled from here.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import ProviderAccount, Team
from fax.documents import inspect
from fax.forms import account_numbers
from fax.gateways import CAPABILITIES
from fax.models import Direction
from fax.services import drafts
from fax.tasks import fetch_incoming_for_account
from providers.files import PDF
from sandbox.app import PROVIDERS
from sandbox.management.commands.demo_setup import sandbox_credentials
from sandbox.media import pdf_bytes

DEMO_TEAM = "Demo Lojistik A.Ş."
DEMO_RECIPIENT = "902125550123"  # the sandboxes deliver to it
FIRST_FETCH_AFTER = 15  # seconds
DEFAULT_SANDBOX_URL = "http://127.0.0.1:8001"  # demo_setup's default too


def demo_document() -> bytes:
    return pdf_bytes(
        "Telcoportal demo fax",
        (
            ("Telcoportal demo fax", "Page 1 of 2", "Sipariş onayı / Order confirmation"),
            ("Telcoportal demo fax", "Page 2 of 2", "Teşekkürler / Thank you"),
        ),
    )


def demo_accounts(team: Team, sandbox_url: str) -> list[ProviderAccount]:
    """The active sandbox accounts ``demo_setup`` made for ``team``, as it made them."""
    found = []
    for kind in PROVIDERS:
        account = team.provider_accounts.filter(
            is_active=True,
            kind=kind,
            label=demo_label(kind),
            base_url=f"{sandbox_url.rstrip('/')}/{kind}",
        ).first()
        if account is not None and kind in CAPABILITIES and account.credentials == sandbox_credentials(kind):
            found.append(account)
    return found


def demo_label(kind: str) -> str:
    return f"{kind.title()} (sandbox)"  # as demo_setup names them


class Command(BaseCommand):
    help = "Queues a demo fax through each sandbox account demo_setup made for the demo team."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--team", default=DEMO_TEAM)
        parser.add_argument("--sandbox-url", default=DEFAULT_SANDBOX_URL)

    def handle(self, *args: Any, team: str, sandbox_url: str, **options: Any) -> None:
        found = Team.objects.filter(name=team).first()
        if found is None:
            self.stderr.write(f"no team named {team!r}: run demo_setup first")
            return
        content = demo_document()
        pages = inspect(content, accepted=[PDF]).pages
        accounts = demo_accounts(found, sandbox_url)
        if not accounts:
            self.stdout.write(f"  no sandbox account of demo_setup in {team!r}: nothing sent")
        for account in accounts:
            if account.faxes.filter(direction=Direction.OUTGOING).exists():
                self.stdout.write(f"  {account.label}: has sent a fax already")
                continue
            numbers = account_numbers(account)
            if not numbers and CAPABILITIES[account.kind].needs_our_number:
                self.stdout.write(f"  {account.label}: no fax number in its options, skipped")
                continue
            with transaction.atomic():
                draft = drafts.draft_create(
                    team=found,
                    actor=None,
                    account=account,
                    our_number=numbers[0] if numbers else "",
                    recipients=[DEMO_RECIPIENT],
                    quality="fine",
                    scheduled_at=None,
                    uploads=[drafts.Upload("demo-fax.pdf", content, PDF, pages)],
                )
            drafts.draft_render(draft_id=draft.pk)
            draft.refresh_from_db()
            with transaction.atomic():
                drafts.draft_confirm(draft=draft, actor=None)
            self.stdout.write(self.style.SUCCESS(f"  {account.label}: demo fax queued"))
        demo_routing_rule(found)
        # The first inbox fetch, soon after the worker (and the sandbox beside it) start; beat repeats it.
        for account in accounts:
            fetch_incoming_for_account.apply_async((account.pk,), countdown=FIRST_FETCH_AFTER)


def demo_routing_rule(team: Team) -> None:
    """Received demo faxes mailed to every member (the catch-all rule): `make demo`'s worker prints the mails."""
    from django.conf import settings

    from fax_to_email.models import RoutingRule

    rule, created = RoutingRule.objects.get_or_create(
        team=team, our_number="", defaults={"language": settings.LANGUAGE_CODE, "attach_document": True}
    )
    if created:
        rule.members.set(team.memberships.all())
