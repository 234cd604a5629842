"""What fax tells the apps above it, which it cannot import.

- ``fax_finished``: a fax's status changed to a finished one (``email_to_fax`` replies to a mailed fax's sender).
- ``fax_document_received``: a received fax's document is stored (``fax_to_email`` mails it). Sent once per
  received fax, when its document is first kept (by the inbox poll, or later when a document the provider
  was slow to serve arrives); a receiver that fails is logged and never stops the inbox (``send_robust``).
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

from .models import Fax

log = logging.getLogger(__name__)

# Sent once a fax's status changes to a finished one (sent, failed, cancelled), with ``fax``: the row as saved.
fax_finished = Signal()

# kwargs: fax (a received ``Fax`` whose RECEIVED document is stored)
fax_document_received = Signal()


def fax_document_received_send(*, fax: Fax) -> None:
    for receiver, outcome in fax_document_received.send_robust(sender=Fax, fax=fax):
        if isinstance(outcome, Exception):
            log.error("fax %s: receiver %r of fax_document_received failed: %r", fax.pk, receiver, outcome)
