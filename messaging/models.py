"""SMS: batches, the chunks they are submitted in, recipients, and the address book."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.admin.decorators import display as admin_display
from django.db import models
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount, Team
from core.collation import TURKISH
from core.legal_hold import LegalHold


class ContactGroup(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="contact_groups")
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact group")
        verbose_name_plural = _("contact groups")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="contact_group_name_per_team")]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, help_text=_("E.164, e.g. +905321234567"))
    fields = models.JSONField(_("other fields"), default=dict, blank=True)  # placeholders beyond {name}
    groups = models.ManyToManyField(ContactGroup, blank=True, related_name="contacts", verbose_name=_("groups"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = [Collate("name", TURKISH).asc(), "phone"]  # Ç after C, İ after I (core/collation.py)
        constraints = [models.UniqueConstraint(fields=["team", "phone"], name="contact_phone_per_team")]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.name else self.phone

    def placeholder_values(self) -> dict[str, str]:
        return {**{str(k).lower(): str(v) for k, v in (self.fields or {}).items()}, "name": self.name}


class ContactImport(models.Model):
    """One contact file being imported: its progress and a report of every row left out.

    Row problems are stored as codes with parameters (``{"row": 4, "code": "invalid",
    "value": "abc"}``) and put into words when shown, in the reader's language.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped")

    MAX_ERRORS_KEPT = 1000

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="contact_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(ContactGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    path = models.CharField(max_length=300, blank=True)  # in the default storage; removed once imported
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)  # estimate before reading
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("rows left out"), default=0)
    errors = models.JSONField(default=list, blank=True)  # the first MAX_ERRORS_KEPT row problems
    file_error = models.JSONField(default=dict, blank=True)  # {"code": …, "params": {…}} when reading stopped
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)


class OptOut(models.Model):
    """A number that asked not to receive our messages: every send leaves it out."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sms_opt_outs")
    phone = models.CharField(_("phone number"), max_length=20)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["team", "phone"], name="opt_out_phone_per_team")]

    def __str__(self) -> str:
        return self.phone


class SmsTemplate(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sms_templates")
    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved template")
        verbose_name_plural = _("saved templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SmsBatch(LegalHold, models.Model):
    class State(models.TextChoices):
        # A file's recipients being written by the worker (services.store): not sendable until every one is in.
        STORING = "storing", _("Storing recipients")
        NOT_STORED = "not_stored", _("Not stored")  # the storing failed: nothing was sent, ``store_error`` says why
        SCHEDULED = "scheduled", _("Scheduled")  # held in the portal until it is due: editable, cancellable
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        SUBMITTED = "submitted", _("Submitted")  # every chunk reached a final state
        COMPLETED = "completed", _("Completed")  # and every report is final

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sms_batches")
    account = models.ForeignKey(
        ProviderAccount, on_delete=models.PROTECT, related_name="sms_batches", verbose_name=_("account")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_email = models.CharField(_("created by"), max_length=254, blank=True)
    sender = models.CharField(_("sender id"), max_length=11)
    text = models.TextField(_("text"))  # with {placeholders} when personalised
    personalised = models.BooleanField(_("personalised"), default=False)
    alphabet = models.CharField(_("alphabet"), max_length=24)
    flash = models.BooleanField(_("flash"), default=False)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    period = models.PositiveIntegerField(_("validity (minutes)"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SENDING)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    stored_count = models.PositiveIntegerField(_("recipients stored"), default=0, db_default=0)  # storing's progress
    store_error = models.JSONField(
        default=dict, db_default={}, blank=True
    )  # {"key": …, "params": {…}} (messaging.texts)
    parts = models.PositiveIntegerField(_("SMS per recipient"), default=1)
    estimated_cost = models.DecimalField(_("estimated cost"), max_digits=12, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="")  # of the estimated cost
    skipped_duplicates = models.PositiveIntegerField(_("duplicates left out"), default=0)
    skipped_opt_outs = models.PositiveIntegerField(_("opt-outs left out"), default=0)
    resend_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends")
    # The compose form's one-time key: a double click or a re-posted form finds the batch it already made.
    submission_key = models.CharField(_("submission key"), max_length=32, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When the send last moved (a chunk claimed or finished, the batch queued or resumed), or when
    # an automatic retry it waits for is due: a sending batch older than that is resumed by the watchdog.
    progress_at = models.DateTimeField(_("last progress"), default=timezone.now)
    resumed_at = models.DateTimeField(_("last resumed by the watchdog"), null=True, blank=True)
    # Retention deleted the text and the recipients (privacy/retention.py); the batch and its counts stay.
    content_deleted_at = models.DateTimeField(_("text and recipients deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS batch")
        verbose_name_plural = _("SMS batches")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "progress_at"], name="sms_batch_progress")]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="one_batch_per_submission_key",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.sender}: {self.text[:40]}"

    @property
    def store_error_text(self) -> str:
        """Why the recipients were not stored, in the reader's language."""
        from .texts import render

        return render(self.store_error)

    @property
    def sendable(self) -> bool:
        return self.state in (self.State.SENDING, self.State.PAUSED)


class SmsChunk(models.Model):
    """One submit (or submit multi) request: the unit that is claimed, sent once, and reconciled."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SUBMITTING = "submitting", _("Submitting")
        SUBMITTED = "submitted", _("Submitted")
        FAILED = "failed", _("Failed")  # the provider certainly did not take it: safe to retry
        UNKNOWN = "unknown", _("Outcome unknown")  # may have been taken: reconciled from reports
        CANCELLED = "cancelled", _("Cancelled")

    batch = models.ForeignKey(SmsBatch, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField(_("chunk"))
    universal = models.BooleanField(_("abroad"), default=False)
    size = models.PositiveIntegerField(_("recipients"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    sms_id = models.BigIntegerField(_("provider id"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)  # rows written before ``error_stored``: shown as they are
    error_stored = models.JSONField(default=dict, blank=True)  # {"key": …, "params": {…}} (messaging.texts)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    reports_final = models.BooleanField(_("reports final"), default=False)
    # Refused for a passing reason (429, 5xx before the provider acted): retried without a person.
    auto_retry = models.BooleanField(_("retried automatically"), default=False)

    class Meta:
        verbose_name = _("SMS chunk")
        verbose_name_plural = _("SMS chunks")
        ordering = ["batch", "index"]
        constraints = [models.UniqueConstraint(fields=["batch", "index"], name="chunk_index_per_batch")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.index}"

    @property
    @admin_display(description=_("error"))
    def error_text(self) -> str:
        """Why it failed, in the reader's language (rows from before keys: see ``stored_text.render_kept``)."""
        from .texts import render

        return render(self.error_stored, old_text=self.error)


class SmsAttempt(models.Model):
    """One submit of a chunk to the provider: when, how it ended, how long it took, and when the next is due.

    Written when the chunk is claimed, finished with the chunk's outcome (settled later from the
    reports when it was unknown); an attempt given back before it reached the provider is removed.
    """

    chunk = models.ForeignKey(SmsChunk, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=SmsChunk.State.choices, default=SmsChunk.State.SUBMITTING
    )
    error = models.TextField(_("error"), blank=True)
    error_stored = models.JSONField(default=dict, blank=True)  # {"key": …, "params": {…}} (messaging.texts)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    retry_at = models.DateTimeField(_("next attempt due"), null=True, blank=True)  # an automatic retry's time

    OPEN = (SmsChunk.State.SUBMITTING, SmsChunk.State.UNKNOWN)

    class Meta:
        verbose_name = _("SMS attempt")
        verbose_name_plural = _("SMS attempts")
        ordering = ["chunk", "number"]
        constraints = [models.UniqueConstraint(fields=["chunk", "number"], name="attempt_number_per_chunk")]

    def __str__(self) -> str:
        return f"{self.chunk_id} #{self.number}"

    @property
    @admin_display(description=_("error"))
    def error_text(self) -> str:
        from .texts import render

        return render(self.error_stored, old_text=self.error)


class SmsRecipient(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        WAITING = "waiting", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Undelivered")
        FAILED = "failed", _("Not accepted")
        CANCELLED = "cancelled", _("Cancelled")

    FINAL = (State.DELIVERED, State.UNDELIVERED, State.CANCELLED)

    batch = models.ForeignKey(SmsBatch, on_delete=models.CASCADE, related_name="recipients")
    chunk = models.ForeignKey(SmsChunk, on_delete=models.CASCADE, related_name="recipients")
    phone = models.CharField(_("number"), max_length=20, db_index=True)  # E.164
    name = models.CharField(_("name"), max_length=150, blank=True)
    text = models.TextField(_("personalised text"), blank=True)  # empty: the batch text
    source_row = models.PositiveIntegerField(_("source row"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    status_text = models.CharField(_("provider status"), max_length=200, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=4, default=Decimal(0))
    network = models.IntegerField(_("network"), null=True, blank=True)
    last_update = models.DateTimeField(_("last update"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS recipient")
        verbose_name_plural = _("SMS recipients")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.phone

    @property
    def team(self) -> Team:
        return self.batch.team

    @property
    def message(self) -> str:
        return self.text or self.batch.text
