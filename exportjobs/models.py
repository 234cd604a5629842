"""An export too large to stream: written to storage by a worker, downloaded from there."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One background export of a list (its ``kind``): the filters it was asked with, its progress, its file."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("list"), max_length=32)  # a core.export_kinds name: "calls", "sms-batches"…
    file_format = models.CharField(_("format"), max_length=8)
    filters = models.JSONField(_("filters"), default=dict, blank=True)  # the list's query, as asked
    language = models.CharField(_("language"), max_length=16)  # the requester's, for headers and labels
    state = models.CharField(_("state"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    # While running, the planner's estimate on PostgreSQL (no COUNT pass over the rows); once done, the rows written.
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.CharField(_("stored file"), max_length=300, blank=True)  # a name in default_storage
    filename = models.CharField(_("file name"), max_length=100)  # what the download is called
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        indexes = [models.Index(fields=["expires_at"], name="export_job_expires")]

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
