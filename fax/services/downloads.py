"""A document fetched from the provider because a person asked for it on the fax's page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.provider_errors import describe
from providers.errors import ProviderError

from ..gateways import CAPABILITIES, Unsupported, gateway_for
from ..models import Fax, FaxDocument
from . import DocumentUnavailable, FaxActionError, storage
from .inbox import fetch_received


def fetch_received_document(*, fax: Fax) -> FaxDocument:
    """A received fax's document, fetched now from the provider if it is still missing."""
    existing = fax.documents_of(FaxDocument.Role.RECEIVED)
    if existing:
        return existing[0]
    if fax.account is None:
        raise DocumentUnavailable(_("The provider account is gone: this document cannot be fetched."))
    gateway = gateway_for(fax.account)
    try:
        if not fetch_received(fax, gateway):
            raise FaxActionError(fax.error_text)
    finally:
        gateway.close()
    return fax.documents_of(FaxDocument.Role.RECEIVED)[0]


def fetch_sent_document(*, fax: Fax) -> FaxDocument:
    """The provider's copy of what it transmitted, fetched once and kept."""
    existing = fax.documents_of(FaxDocument.Role.TRANSMITTED)
    if existing:
        return existing[0]
    if fax.account is None or not CAPABILITIES[fax.account.kind].download or not fax.provider_id:
        raise DocumentUnavailable(_("This provider does not give the transmitted document back."))
    gateway = gateway_for(fax.account)
    try:
        return storage.save_document(fax, FaxDocument.Role.TRANSMITTED, gateway.sent_document(fax))
    except (KeyError, Unsupported):
        raise DocumentUnavailable(_("The provider has no document for this fax yet.")) from None
    except ProviderError as exc:
        raise FaxActionError(describe(exc)) from None
    finally:
        gateway.close()
