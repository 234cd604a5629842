"""A mail taken in becomes faxes, or a refusal, once: the whole of it in one transaction that starts with the
mail's claim (its Message-ID, unique per team). A second copy of the mail waits for the first and finds it
taken; a crash half-way leaves no claim, so the mail is read again on the next poll and nothing is lost.

The documents go through the web form's pipeline: ``documents.inspect`` by content, a draft rendered by
``drafts.draft_render`` and confirmed by ``drafts.draft_confirm`` (audited ``fax.send`` as the member).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from accounts.models import ProviderAccount, User
from accounts.provider_options import fax_options
from fax import documents as docs
from fax.forms import MAX_RECIPIENTS, account_numbers, fax_accounts
from fax.gateways import CAPABILITIES
from fax.gateways.base import Capabilities
from fax.models import Fax, FaxDraft
from fax.services import FaxActionError, drafts
from fax.services.cover import CoverChoice
from providers.files import BMP, JPEG, OLE, PDF, PNG, TIFF, ZIP, sniff_media_type

from .addressing import ACCOUNT_NAME, SUBJECT_NUMBERS, numbers_from
from .models import InboundMail, Mailbox, MailFax, MailState
from .parsing import ParsedMail, mail_parse
from .refusals import MailRefused
from .replies import reply_queue

log = logging.getLogger(__name__)

# What a file's name promises: its extension -> the contents that keep the promise.
PROMISED_BY_NAME: dict[str, set[str]] = {
    "pdf": {PDF},
    "tif": {TIFF},
    "tiff": {TIFF},
    "png": {PNG},
    "jpg": {JPEG},
    "jpeg": {JPEG},
    "bmp": {BMP},
    "doc": {OLE},
    "xls": {OLE},
    "docx": {ZIP},
    "xlsx": {ZIP},
}
# Refusals nobody is told of by mail: the mail is automatic (an answer would start a loop) or its sender
# address failed the checks (an answer would go to whoever it was forged from).
SILENT = frozenset({"automatic", "auth_failed"})


COVER_NOTE_CHARS = 2000  # a mail's text on its cover page; a longer one is cut (the page has room for about this)


def max_mail_bytes() -> int:
    return int(getattr(settings, "EMAIL_TO_FAX_MAX_MB", 20)) * 1024 * 1024


@dataclass(frozen=True)
class Taken:
    outcome: str  # "queued", "refused", "duplicate"
    mail: InboundMail | None = None


def mail_take(
    *, mailbox: Mailbox, raw: bytes, size: int | None = None, envelope_recipients: tuple[str, ...] = ()
) -> Taken:
    """Reads one mail to ``mailbox``'s team: faxes queued, or refused with a reason; a mail seen before: nothing.

    ``size``: the whole mail's, when ``raw`` holds only its header (an IMAP mail too big to download).
    """
    size = size if size is not None else len(raw)
    oversized = size > max_mail_bytes()
    parsed = mail_parse(_headers_only(raw) if oversized else raw, envelope_recipients=envelope_recipients)
    team = mailbox.team
    try:
        with transaction.atomic():
            mail = InboundMail.objects.create(
                team=team,
                message_id=parsed.message_id,
                sender=parsed.sender[:254],
                subject=parsed.subject[:300],
                size=size,
            )
            try:
                with transaction.atomic():  # a refusal after the draft was made leaves no draft behind
                    faxes = _faxes_of(mailbox, mail, parsed, oversized=oversized)
            except MailRefused as refusal:
                mail.state, mail.reason_key, mail.reason_params = MailState.REFUSED, refusal.key, refusal.params
                mail.save(update_fields=["state", "reason_key", "reason_params", "member"])
                if refusal.key not in SILENT:
                    reply_queue(mail_id=mail.pk)
                return Taken("refused", mail)
            MailFax.objects.bulk_create([MailFax(mail=mail, fax=fax) for fax in faxes])
            mail.state = MailState.QUEUED
            mail.save(update_fields=["state", "member"])
            reply_queue(mail_id=mail.pk)
            return Taken("queued", mail)
    except IntegrityError:
        if InboundMail.objects.filter(team=team, message_id=parsed.message_id).exists():
            return Taken("duplicate")
        raise


def _headers_only(raw: bytes) -> bytes:
    head, _, _ = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    return head + b"\r\n\r\n"


def _faxes_of(mailbox: Mailbox, mail: InboundMail, parsed: ParsedMail, *, oversized: bool) -> list[Fax]:
    if parsed.automatic:
        raise MailRefused("automatic")
    if parsed.failed_checks:
        raise MailRefused("auth_failed", checks=", ".join(c.upper() for c in parsed.failed_checks))
    member = _member(mailbox, parsed.sender)
    if member is None:
        raise MailRefused("not_member", team=mailbox.team.name, sender=parsed.sender)
    mail.member = member
    if oversized:
        raise MailRefused("mail_too_big", mb=max_mail_bytes() // (1024 * 1024))
    addressed = numbers_from(subject=parsed.subject, recipients=parsed.recipients, domains=_number_domains())
    if addressed.bad:
        raise MailRefused("bad_number", numbers=", ".join(addressed.bad))
    if not addressed.numbers:
        raise MailRefused("no_number", example=example_address(mailbox))
    if len(addressed.numbers) > MAX_RECIPIENTS:
        raise MailRefused("too_many_numbers", max=MAX_RECIPIENTS)
    account = _account(mailbox, addressed.account_name)
    numbers = account_numbers(account)
    caps = CAPABILITIES[account.kind]
    if caps.needs_our_number and not numbers:
        raise MailRefused("account_no_number", account=account.label)
    uploads = _uploads(parsed, caps)
    cover = _cover(mailbox, parsed, member)
    draft = drafts.draft_create(
        team=mailbox.team,
        actor=member,
        account=account,
        our_number=numbers[0] if numbers else "",
        recipients=addressed.numbers,
        quality=fax_options(account).fax_quality or "fine",
        scheduled_at=None,
        uploads=uploads,
        cover=cover,
    )
    try:
        drafts.draft_render(draft_id=draft.pk)  # here, not in a task: the answer to the sender depends on it
        draft.refresh_from_db()
        if draft.render_error_stored or draft.render_error:
            error = draft.render_error_stored or draft.render_error
            raise MailRefused("document", name=uploads[0].filename, error=error)
        if drafts.needs_page_confirmation(draft):
            raise MailRefused("confirm_pages", pages=draft.pages, max=drafts.confirm_pages())
        try:
            return drafts.draft_confirm(draft=draft, actor=member)
        except FaxActionError as exc:  # not expected once rendered: said as it is
            raise MailRefused("document", name=uploads[0].filename, error=str(exc)) from None
    except MailRefused:
        _files_delete(draft)  # its rows roll back with the refusal; the stored files would stay behind
        raise


def _files_delete(draft: FaxDraft) -> None:
    draft.refresh_from_db()
    for stored in [*draft.files, draft.rendition]:
        if stored and stored.get("path"):
            default_storage.delete(stored["path"])


def _cover(mailbox: Mailbox, parsed: ParsedMail, member: User) -> CoverChoice | None:
    """The cover page the mailbox asks for: its template, the mail's text as the note (fax's cover service)."""
    note = parsed.body[:COVER_NOTE_CHARS] if mailbox.body_as_cover else ""
    if mailbox.cover_template is None and not note:
        return None
    return CoverChoice(
        template=mailbox.cover_template,
        subject=SUBJECT_NUMBERS.sub("", ACCOUNT_NAME.sub("", parsed.subject)).strip(" -:"),
        note=note,
        from_name=member.full_name or member.email,
        language=member.language or settings.LANGUAGE_CODE,
    )


def _member(mailbox: Mailbox, sender: str) -> User | None:
    """The member whose sign-in address sent the mail (any role that may send), else None."""
    if not sender:
        return None
    membership = (
        mailbox.team.memberships.select_related("user").filter(user__email__iexact=sender, user__is_active=True).first()
    )
    if membership is None or not membership.can("send"):
        return None
    return membership.user


def _account(mailbox: Mailbox, name: str) -> ProviderAccount:
    accounts = fax_accounts(mailbox.team)
    if name:
        for account in accounts:
            if account.label.casefold() == name.casefold():
                return account
        raise MailRefused("unknown_account", name=name)
    chosen = next((a for a in accounts if a.pk == mailbox.account_id), None)
    if chosen is None:
        raise MailRefused("no_account")
    return chosen


def _uploads(parsed: ParsedMail, caps: Capabilities) -> list[drafts.Upload]:
    files = [a for a in parsed.attachments if a.content]
    if not files:
        raise MailRefused("no_document")
    if len(files) > caps.max_files:
        raise MailRefused("too_many_files", max=caps.max_files)
    uploads = []
    for attachment in files:
        found_type = sniff_media_type(attachment.content)
        promised = PROMISED_BY_NAME.get(PurePosixPath(attachment.filename.lower()).suffix.lstrip("."))
        if promised is not None and found_type not in promised:
            found = docs.LABELS.get(found_type or "", "") or "?"
            raise MailRefused("name_mismatch", name=attachment.filename, found=found)
        if len(attachment.content) > caps.max_file_bytes:
            raise MailRefused("file_too_big", name=attachment.filename, mb=caps.max_file_bytes // (1024 * 1024))
        try:
            inspected = docs.inspect(attachment.content, accepted=sorted(caps.upload_types))
        except docs.DocumentError as exc:
            raise MailRefused("document", name=attachment.filename, error=exc.text) from None
        uploads.append(drafts.Upload(attachment.filename, attachment.content, inspected.media_type, inspected.pages))
    return uploads


def _number_domains() -> list[str]:
    """Recipient domains whose addresses name a number; empty: any (a mailbox forwarded from anywhere)."""
    return [d.lower() for d in getattr(settings, "EMAIL_TO_FAX_NUMBER_DOMAINS", [])]


def example_address(mailbox: Mailbox) -> str:
    """The address form that names a number for this mailbox, for the refusal and the settings page."""
    from .receiver_addresses import mailbox_domain

    domain = mailbox_domain(mailbox) or (_number_domains() or ["fax.example.com"])[0]
    return f"902125550123@{domain}"
