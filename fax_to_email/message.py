"""The mail of one delivery: in the recipient's language, times in the team's zone, the document as a PDF.

The stored received document (TIFF or PDF, as the provider gave it) becomes a PDF with the pipeline the
fax pages use (``fax.documents``). Larger than ``FAX_EMAIL_ATTACHMENT_MAX_BYTES``, it is replaced by a
signed link that expires after ``FAX_EMAIL_LINK_DAYS``; a rule that sends no document sends the notice
with a link to the fax's page in the portal.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.phones import display_digits
from fax import documents as docs
from fax.models import FaxDocument
from fax.services import storage
from providers.files import PDF

from .links import absolute_url, document_link, link_max_age, opt_out_link
from .models import Delivery


class DocumentUnreadable(Exception):
    """The stored document is gone or cannot be made a PDF."""


def received_pdf(delivery: Delivery) -> tuple[bytes, int | None, str]:
    """The fax's received document as a PDF: (content, pages, file name)."""
    documents = delivery.fax.documents_of(FaxDocument.Role.RECEIVED)
    if not documents:
        raise DocumentUnreadable("no received document")
    document = documents[0]
    try:
        content = storage.read_document(document)
        pdf = content if document.media_type == PDF else docs.tiff_as_pdf(content)
    except (OSError, docs.DocumentError) as exc:
        raise DocumentUnreadable(type(exc).__name__) from exc
    filename = storage.document_filename(document, media_type=PDF)
    return pdf, document.pages, filename


def delivery_message(delivery: Delivery) -> tuple[EmailMultiAlternatives, str]:
    """The mail and how it carries the document (a ``Delivery.Document`` value)."""
    fax = delivery.fax
    team = fax.team
    attachment: tuple[bytes, str] | None = None
    link = ""
    pages = fax.pages
    if delivery.attach_document:
        pdf, document_pages, filename = received_pdf(delivery)
        pages = pages or document_pages
        if len(pdf) <= settings.FAX_EMAIL_ATTACHMENT_MAX_BYTES:
            attachment, how = (pdf, filename), Delivery.Document.ATTACHED
        else:
            link, how = document_link(delivery.pk), Delivery.Document.LINK
    else:
        how = Delivery.Document.NONE
    with translation.override(delivery.language or settings.LANGUAGE_CODE), timezone.override(team.tzinfo):
        received_at = timezone.localtime(fax.completed_at or fax.created_at)
        context = {
            "team": team,
            "sender": display_digits(fax.remote_number) or _("unknown"),
            "ours": display_digits(fax.our_number) or "—",
            "pages": pages,
            "received": formats.date_format(received_at, "DATETIME_FORMAT"),
            "zone": team.time_zone,
            "fax_url": absolute_url(reverse("fax-detail", args=[fax.pk])),
            "link": link,
            "link_days": link_max_age().days,
            "attached": attachment is not None,
            "opt_out_url": opt_out_link(team.pk, delivery.user_id) if delivery.user_id else "",
        }
        if pages:
            subject = ngettext(
                "Fax from %(sender)s to %(ours)s, %(pages)s page",
                "Fax from %(sender)s to %(ours)s, %(pages)s pages",
                pages,
            ) % {"sender": context["sender"], "ours": context["ours"], "pages": pages}
        else:
            subject = _("Fax from %(sender)s to %(ours)s") % {"sender": context["sender"], "ours": context["ours"]}
        mail = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("fax_to_email/email/received.txt", context),
            to=[delivery.email],
        )
        mail.attach_alternative(render_to_string("fax_to_email/email/received.html", context), "text/html")
    if attachment is not None:
        mail.attach(attachment[1], attachment[0], PDF)
    return mail, how
