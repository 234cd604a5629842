"""Shared steps of the fax tests: compose a draft on a sandbox account, confirm it, run the queued sends."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from accounts.models import ProviderAccount, User
from fax.models import Fax
from fax.services import drafts, tracking
from tests.fax.factories import two_page_pdf


def draft_on(
    account: ProviderAccount,
    *,
    recipients: list[str],
    user: User | None = None,
    content: bytes | None = None,
    media_type: str = "application/pdf",
    quality: str = "fine",
    our_number: str | None = None,
) -> Any:
    content = content or two_page_pdf()
    numbers = (account.options or {}).get("fax_numbers") or [""]
    draft = drafts.draft_create(
        team=account.team,
        actor=user,
        account=account,
        our_number=our_number if our_number is not None else numbers[0],
        recipients=recipients,
        quality=quality,
        scheduled_at=None,
        uploads=[drafts.Upload("contract.pdf", content, media_type, 2)],
    )
    drafts.draft_render(draft_id=draft.pk)  # what the worker does after the commit
    draft.refresh_from_db()
    return draft


def send(django_capture_on_commit_callbacks: Any, account: ProviderAccount, **kwargs: Any) -> list[Fax]:
    draft = draft_on(account, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        faxes = drafts.draft_confirm(draft=draft, actor=kwargs.get("user"))
    return [Fax.objects.get(pk=f.pk) for f in faxes]


def track(fax: Fax) -> Fax:
    tracking.fax_track(fax=Fax.objects.select_related("account", "team").get(pk=fax.pk))
    return Fax.objects.get(pk=fax.pk)


def stored(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return handle.read()
