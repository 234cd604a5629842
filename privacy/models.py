"""Retention settings per team and kind, and the stored files waiting to be deleted once their rows are gone."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Team


class RetentionKind(models.TextChoices):
    """What retention deletes, in the order a run deletes it (recordings before the calls that carry them)."""

    RECORDINGS = "recordings", _("Call recordings")
    CALLS = "calls", _("Call records")
    SMS = "sms", _("SMS texts and recipients")
    FAX_DOCUMENTS = "fax_documents", _("Fax documents")


class RetentionPolicy(models.Model):
    """How long a team keeps one kind of data; no row, or no days, is "forever"."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="retention_policies")
    kind = models.CharField(_("kind"), max_length=16, choices=RetentionKind.choices)
    days = models.PositiveIntegerField(_("days kept"), null=True, blank=True)  # None: forever
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    updated_by = models.CharField(_("changed by"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("retention setting")
        verbose_name_plural = _("retention settings")
        constraints = [models.UniqueConstraint(fields=["team", "kind"], name="retention_policy_per_team_kind")]

    def __str__(self) -> str:
        return f"{self.team} {self.kind}: {self.days if self.days is not None else '∞'}"


class FileToDelete(models.Model):
    """A stored file whose row was deleted or anonymised in a committed transaction.

    Written in the same transaction as the rows, deleted from storage after the commit: a crash in between
    leaves this row, and the next retention run or erasure deletes the file (nothing is deleted for a
    rolled-back transaction, nothing stays behind for a committed one).
    """

    name = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file to delete")
        verbose_name_plural = _("files to delete")

    def __str__(self) -> str:
        return self.name
