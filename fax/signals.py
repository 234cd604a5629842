"""What fax tells the apps above it, which it cannot import (``email_to_fax`` replies to a mailed fax's sender)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a fax's status changes to a finished one (sent, failed, cancelled), with ``fax``: the row as saved.
fax_finished = Signal()
