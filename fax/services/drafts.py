"""Composing a fax: the uploads are stored, a worker renders what will be transmitted (the preview), and the
sender's confirmation queues one fax per recipient. Nothing is sent before the confirmation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import ProviderAccount, Team, User
from accounts.provider_options import fax_options
from core.held_sends import is_held
from providers.files import PDF, TIFF

from .. import documents as docs
from ..gateways import CAPABILITIES
from ..models import Direction, Fax, FaxDocument, FaxDraft, Status
from . import FaxActionError, sending
from .cover import CoverChoice, cover_choice_of, covered_renditions
from .status import add_event
from .storage import StoredFile, attach, read_stored, store_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    media_type: str
    pages: int | None


def store_upload(upload: Upload) -> StoredFile:
    return store_file(upload.content, upload.filename, upload.media_type, upload.pages)


def draft_create(
    *,
    team: Team,
    actor: User | None,
    account: ProviderAccount,
    our_number: str,
    recipients: Sequence[str],
    quality: str,
    scheduled_at: datetime | None,
    uploads: Sequence[Upload],
    reuse_files: Sequence[StoredFile] = (),
    cover: CoverChoice | None = None,
) -> FaxDraft:
    """Stores the files; a worker renders what will be transmitted (the preview polls). Nothing is sent yet.

    With ``cover``, each recipient's document starts with their own cover page (page count + 1).
    """
    files = list(reuse_files) or [store_upload(u) for u in uploads]
    draft = FaxDraft(
        team=team,
        account=account,
        created_by=actor,
        our_number=our_number,
        recipients=list(recipients),
        quality=quality,
        scheduled_at=scheduled_at,
        files=files,
        cover=cover.stored() if cover else {},
    )
    draft.save()
    from ..tasks import render_draft

    def render_here() -> None:  # the broker is down: the preview is drawn in the request (the renderer is bounded)
        draft_render(draft_id=draft.pk)

    render_draft.apply_async_on_commit((draft.pk,), on_queue_error=render_here)
    return draft


def draft_render(*, draft_id: int) -> str:
    """Renders a draft's transmitted document once: the fax TIFF (or PDF) the preview shows."""
    draft = FaxDraft.objects.select_related("account").filter(pk=draft_id, rendered_at__isnull=True).first()
    if draft is None:
        return "done-already"
    try:
        draft.rendition = render_transmitted(draft.account, draft.files, draft.quality)
        choice = cover_choice_of(draft)
        if choice is not None:
            draft.renditions = _with_covers(draft, choice)
            draft.rendition = draft.renditions[draft.recipients[0]]  # the preview shows the first recipient's
    except docs.DocumentError as exc:
        draft.rendition, draft.renditions = {}, {}
        draft.render_error_stored = exc.text
    except Exception:  # a file that passed inspection but breaks the renderer: say so, never hang the preview
        log.exception("fax draft %s could not be rendered", draft.pk)
        draft.rendition, draft.renditions = {}, {}
        draft.render_error_stored = docs.DocumentError("not_prepared").text
    draft.rendered_at = timezone.now()
    draft.save(update_fields=["rendition", "renditions", "render_error_stored", "rendered_at"])
    return "failed" if draft.render_error_stored else "rendered"


def _with_covers(draft: FaxDraft, choice: CoverChoice) -> dict[str, StoredFile]:
    """Each recipient's covered document in place of the shared body, each within the provider's size."""
    body = draft.rendition
    renditions = covered_renditions(draft, choice, body)
    if body:
        default_storage.delete(body["path"])
    limit = CAPABILITIES[draft.account.kind].max_file_bytes
    if any(stored["size"] > limit for stored in renditions.values()):
        for stored in renditions.values():
            default_storage.delete(stored["path"])
        raise docs.DocumentError("too_big_for_provider")
    return renditions


def render_transmitted(account: ProviderAccount, files: Sequence[StoredFile], quality: str) -> StoredFile:
    """The one document we hand the provider, or {} when the originals go as they are (office files)."""
    caps = CAPABILITIES[account.kind]
    if any(f["media_type"] in docs.OFFICE_TYPES for f in files):
        return {}
    sources = [(read_stored(f["path"]), f["media_type"]) for f in files]
    wants_pdf = fax_options(account).fax_format == "pdf" or not caps.takes_tiff
    if wants_pdf and PDF in caps.transmit_types:
        content, pages = docs.as_pdf(sources)
        media_type, name = PDF, "fax.pdf"
    else:
        content, pages = docs.fax_tiff(sources, quality=quality)
        media_type, name = TIFF, "fax.tif"
    stored = store_file(content, name, media_type, pages)
    if stored["size"] > caps.max_file_bytes:
        default_storage.delete(stored["path"])
        raise docs.DocumentError("too_big_for_provider")
    return stored


def confirm_pages() -> int:
    """A fax of this many pages or more is sent only once its sender confirmed its length."""
    return max(1, int(getattr(settings, "FAX_CONFIRM_PAGES", 50)))


def needs_page_confirmation(draft: FaxDraft) -> bool:
    return draft.pages >= confirm_pages()


@transaction.atomic
def draft_confirm(
    *, draft: FaxDraft, actor: User | None, request: HttpRequest | None = None, pages_confirmed: bool = False
) -> list[Fax]:
    """One queued fax per recipient; each is sent by a worker after the commit.

    A fax of ``confirm_pages()`` pages or more goes only once the sender confirmed its length.
    """
    locked = FaxDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.confirmed_at is not None:  # a double click: the faxes exist already
        return list(locked.faxes.all())
    if locked.rendered_at is None or locked.render_error or locked.render_error_stored:
        raise FaxActionError(_("The preview is not ready, so the fax cannot be sent yet."))
    if needs_page_confirmation(locked) and not pages_confirmed:
        raise FaxActionError(
            _("This fax has %(pages)d pages: confirm that you want to send them all.") % {"pages": locked.pages}
        )
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_at"])
    held = is_held(locked.scheduled_at, locked.confirmed_at)  # then the worker's release queues it when due
    faxes = []
    for number in locked.recipients:
        fax = Fax.objects.create(
            team=locked.team,
            account=locked.account,
            direction=Direction.OUTGOING,
            status=Status.SCHEDULED if held else Status.QUEUED,
            our_number=locked.our_number,
            remote_number=number,
            quality=locked.quality,
            scheduled_at=locked.scheduled_at,
            pages=locked.pages or None,
            draft=locked,
            created_by=actor,
        )
        for position, stored in enumerate(locked.files):
            attach(fax, FaxDocument.Role.ORIGINAL, stored, position)
        transmitted = locked.renditions.get(number) or locked.rendition
        if transmitted:
            attach(fax, FaxDocument.Role.TRANSMITTED, transmitted, 0)
        if held:
            add_event(fax, "scheduled", Status.SCHEDULED, key="held", actor=actor)
        else:
            add_event(fax, "queued", Status.QUEUED, actor=actor)
        audit_record(team=fax.team, actor=actor, action="fax.send", target=fax, request=request, to=number, held=held)
        faxes.append(fax)
    if not held:
        sending.queue_sends([f.pk for f in faxes])
    return faxes
