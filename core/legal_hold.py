"""The legal-hold fields a call record, an SMS batch and a fax share: kept, whatever retention or an erasure asks.

An abstract model, so each app keeps its own columns (and its own migration); the privacy app sets and clears
them (``privacy/holds.py``) and is the only one that reads them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalHold(models.Model):
    # Database defaults too, so rows written by raw SQL (bulk loads, COPY, the index-plan test and the benches)
    # need not name the columns.
    legal_hold = models.BooleanField(_("under legal hold"), default=False, db_default=False)
    legal_hold_reason = models.CharField(_("legal hold reason"), max_length=300, blank=True, default="", db_default="")
    legal_hold_by = models.CharField(
        _("legal hold set by"), max_length=254, blank=True, default="", db_default=""
    )  # an email: outlives the user
    legal_hold_at = models.DateTimeField(_("legal hold set at"), null=True, blank=True)

    class Meta:
        abstract = True
