"""Imports SMS batches sent outside the portal (Pasifik query multi) for every active Pasifik account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import ProviderAccount
from accounts.provider_errors import describe
from accounts.provider_specs.pasifik import PASIFIK
from messaging.services.errors import SmsError
from messaging.services.history_import import sms_batches_import
from providers.errors import ProviderError


class Command(BaseCommand):
    help = "Imports the SMS batches of the last N days that the portal does not hold yet."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        end = timezone.localdate()
        start = end - timedelta(days=days)
        for account in ProviderAccount.objects.filter(kind=PASIFIK.kind, is_active=True):
            try:
                count = sms_batches_import(account=account, actor=None, start=start, end=end)
            except ProviderError as exc:
                self.stderr.write(f"{account}: {describe(exc)}")
                continue
            except SmsError as exc:
                self.stderr.write(f"{account}: {exc}")
                continue
            self.stdout.write(f"{account}: {count} batches imported")
