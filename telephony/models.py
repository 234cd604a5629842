"""Call records (CDRs) of both Pasifik sources, their import watermarks, and status snapshots."""

from __future__ import annotations

from django.contrib.admin.decorators import display as admin_display
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount, Team
from core.collation import C
from core.legal_hold import LegalHold


class Source(models.TextChoices):
    TELEPHONE = "tel", _("Telephone")
    PBX = "pbx", _("PBX")


class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")
    INTERNAL = "internal", _("Internal")
    UNKNOWN = "unknown", _("Unknown")


class Disposition(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    FAILED = "failed", _("Failed")


MISSED = (Disposition.NO_ANSWER, Disposition.BUSY, Disposition.FAILED)


class CallRecord(LegalHold, models.Model):
    """One call as one provider reported it; ``raw`` keeps the record as received."""

    # No index of its own: every index below starts with the team, so each serves a lookup by team alone (a team's
    # deletion, its counts); a team-only index was one more entry for every imported record (migration 0017).
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="call_records", db_index=False)
    # No index of its own: the unique (account, source, provider_id) index serves every lookup by account, and with
    # it the import's lookups of the stored hashes went by the account alone while the statistics lagged behind.
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="call_records", db_index=False)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    provider_id = models.CharField(_("provider id"), max_length=64)  # i_cdr (tel) or uniqueid (pbx)
    start = models.DateTimeField(_("start"))
    answer = models.DateTimeField(_("answered at"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("duration (s)"), default=0)
    billed_seconds = models.PositiveIntegerField(_("billed (s)"), default=0)
    # Byte order ("C"): one btree per number then serves both the sort by it and the number filter's "starts with"
    # (LIKE 'prefix%', which a btree under any other collation cannot serve), instead of one index for each
    # (migration 0018).
    caller = models.CharField(_("caller"), max_length=64, blank=True, db_collation=C)
    callee = models.CharField(_("callee"), max_length=64, blank=True, db_collation=C)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.UNKNOWN)
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices)
    result = models.CharField(_("provider result"), max_length=32, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=5, null=True, blank=True)
    country = models.CharField(_("country"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    recording_name = models.CharField(_("recording file"), max_length=255, blank=True)
    has_recording = models.BooleanField(_("has recording"), default=False)
    recording = models.FileField(_("stored recording"), upload_to="recordings/", max_length=300, blank=True)
    recording_missing = models.BooleanField(_("recording gone at the provider"), default=False)
    # Loudness 0…1 of ~1000 equal stretches of the stored recording (telephony/waveform.py), computed once
    # when it is stored; None before that, [] when it could not be read (the page then shows no waveform).
    recording_peaks = models.JSONField(_("recording waveform"), null=True, blank=True, editable=False)
    raw = models.JSONField(_("raw record"), default=dict, blank=True)
    # A hash of what the import stored (services.content_hash): an unchanged record imported again is not rewritten.
    content_hash = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)
    # A digest of the record as the provider sent it (services.raw_digest): a record received again as it was is
    # not even fitted.
    raw_hash = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        constraints = [
            models.UniqueConstraint(fields=["account", "source", "provider_id"], name="call_unique_provider_id"),
        ]
        # Every list query starts from the team and walks (start, id) backwards; the others match the filters.
        indexes = [
            models.Index(fields=["team", "start", "id"], name="call_team_start"),
            models.Index(fields=["team", "disposition", "start", "id"], name="call_team_disposition"),
            models.Index(fields=["team", "account", "start", "id"], name="call_team_account"),
            models.Index(fields=["team", "has_recording", "start", "id"], name="call_team_recording"),
            # Sorting by duration, caller or callee walks (column, id) like the default order walks (start, id).
            models.Index(fields=["team", "duration", "id"], name="call_team_duration"),
            models.Index(fields=["team", "caller", "id"], name="call_team_caller_id"),
            models.Index(fields=["team", "callee", "id"], name="call_team_callee_id"),
            # The calls export reads a team's few distinct country texts by probing this (export_copy): rows
            # without a text (a PBX's) stay out of it.
            models.Index(fields=["team", "country"], condition=~models.Q(country=""), name="call_team_country"),
            # The number filter's "contains" uses the trigram indexes of migrations 0006 and 0013 (PostgreSQL only);
            # its "starts with" the (team, number, id) indexes above (the numbers' collation is "C").
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.provider_id}"


class ImportWatermark(models.Model):
    """How far an import of one account and source (and telephone id) has got."""

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="call_watermarks")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    key = models.CharField(_("telephone id"), max_length=32, blank=True)  # tel: i_account; pbx: ""
    imported_until = models.DateTimeField(_("imported until"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_count = models.PositiveIntegerField(_("records in last run"), default=0)
    last_error = models.TextField(_("last error"), blank=True)  # rows from before ``last_error_stored``
    last_error_stored = models.JSONField(default=dict, blank=True)  # {"key": …, "params": {…}} (provider_errors)
    # Records of the last run that could not be stored (the import went on without them).
    last_skipped = models.PositiveIntegerField(_("records skipped in last run"), default=0)
    skipped_records = models.JSONField(_("skipped records"), default=list, blank=True)

    class Meta:
        verbose_name = _("import watermark")
        verbose_name_plural = _("import watermarks")
        constraints = [models.UniqueConstraint(fields=["account", "source", "key"], name="call_watermark_unique")]

    def __str__(self) -> str:
        return f"{self.account} {self.source} {self.key}".strip()

    @property
    @admin_display(description=_("last error"))
    def last_error_text(self) -> str:
        """The last run's error in the reader's language."""
        from accounts.provider_errors import render_text

        return render_text(self.last_error_stored, old_text=self.last_error)


class StatusSnapshot(models.Model):
    """The last live-calls or PBX answer of an account, shown (marked stale) when the provider is down."""

    class Kind(models.TextChoices):
        LIVE = "live", _("Live calls")
        ACTIVE = "active", _("PBX active calls")
        PBX = "pbx", _("PBX status")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="status_snapshots")
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="status_snapshots")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    data = models.JSONField(_("data"), default=dict)
    fetched_at = models.DateTimeField(_("fetched"))

    class Meta:
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")
        constraints = [models.UniqueConstraint(fields=["account", "kind"], name="status_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.account} {self.kind}"


# The analytics rollup's models live in their own module; importing it registers them with this app.
from . import stats_models  # noqa: E402, F401
