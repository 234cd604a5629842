"""Faxes in and out across every provider, their documents, timeline and notifications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Collate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ProviderAccount, Team
from core.collation import TURKISH
from core.legal_hold import LegalHold
from core.phones import display_digits


class Direction(models.TextChoices):
    OUTGOING = "out", _("Outgoing")
    INCOMING = "in", _("Incoming")


class Status(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")  # held in the portal until due: its time can move, it can be cancelled
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    RECEIVED = "received", _("Received")


class Quality(models.TextChoices):
    FINE = "fine", _("Fine (204×196 dpi)")
    NORMAL = "normal", _("Normal (204×98 dpi)")


UNFINISHED = (Status.SCHEDULED, Status.QUEUED, Status.SENDING)


def document_path(instance: models.Model, filename: str) -> str:
    return f"fax/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{filename[-80:]}"


class FaxDraft(models.Model):
    """A composed fax waiting for the sender to look at its preview and confirm.

    The uploaded files are kept server-side here, so going back to fix a field
    never means uploading them again.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fax_drafts")
    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    our_number = models.CharField(_("our number"), max_length=32)
    recipients = models.JSONField(_("recipients"), default=list)  # E.164 digits, no "+"
    quality = models.CharField(_("quality"), max_length=8, choices=Quality.choices, default=Quality.FINE)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # [{"path", "filename", "media_type", "size", "pages"}], in the order they are sent
    files = models.JSONField(default=list)
    # the document we transmit: {"path", "media_type", "size", "pages"}; {} when the originals go as they are
    rendition = models.JSONField(default=dict, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_error = models.TextField(blank=True)  # drafts from before ``render_error_stored``
    render_error_stored = models.JSONField(default=dict, blank=True)  # {"key": "document.…", "params": {…}}
    # Its render task queued again by the watchdog (a task lost with its worker): how often, and when last.
    render_requeues = models.PositiveSmallIntegerField(default=0)
    render_requeued_at = models.DateTimeField(null=True, blank=True)
    # the cover page asked for (fax.services.cover.CoverChoice.stored()); {} for none
    cover = models.JSONField(default=dict, blank=True)
    # with a cover, each recipient's own document (its cover names them): {digits: stored file}
    renditions = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fax draft")
        verbose_name_plural = _("fax drafts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account} → {', '.join(self.recipients)}"

    @property
    def pages(self) -> int:
        return int(self.rendition.get("pages") or sum(int(f.get("pages") or 0) for f in self.files))

    @property
    def render_error_text(self) -> str:
        """Why the document could not be prepared, in the reader's language."""
        from .timeline import render_error

        return render_error(self.render_error_stored, old_text=self.render_error)


class Fax(LegalHold, models.Model):
    """One fax to or from one remote number, whatever the provider."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="faxes")
    account = models.ForeignKey(ProviderAccount, on_delete=models.SET_NULL, null=True, related_name="faxes")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider_status = models.CharField(_("provider's status"), max_length=100, blank=True)
    our_number = models.CharField(_("our number"), max_length=32, blank=True)
    remote_number = models.CharField(_("remote number"), max_length=32, blank=True)
    quality = models.CharField(_("quality"), max_length=8, choices=Quality.choices, default=Quality.FINE)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=100, blank=True)
    # the provider kind of a received fax: with provider_id it names the fax across the team's accounts
    provider_kind = models.CharField(max_length=16, blank=True)
    # what else the provider needs to find this fax again (an uploaded file name, a call uuid…)
    provider_ref = models.JSONField(default=dict, blank=True)
    # the provider's record of a received fax as it came, untruncated
    raw = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)  # rows written before ``error_stored``: shown as they are
    error_stored = models.JSONField(default=dict, blank=True)  # {"key": …, "params": {…}} (fax.timeline.TEXTS)
    # provider field errors mapped onto compose-form fields: {"recipients": ["…" or {"key": …, "params": {…}}]}
    error_fields = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # a send whose answer never came back: reconciled from the provider, never resent blindly
    outcome_unknown = models.BooleanField(_("outcome unknown"), default=False)
    is_stuck = models.BooleanField(_("stuck"), default=False)
    draft = models.ForeignKey(FaxDraft, on_delete=models.SET_NULL, null=True, blank=True, related_name="faxes")
    resent_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("fax")
        verbose_name_plural = _("faxes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["team", "-created_at"]),
            models.Index(fields=["status", "direction"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "direction", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="unique_fax_provider_id_per_account",
            ),
            # Two accounts with the same credentials see the same inbox: a received fax is stored once per team.
            models.UniqueConstraint(
                fields=["team", "provider_kind", "provider_id"],
                condition=models.Q(direction="in") & ~models.Q(provider_id=""),
                name="unique_received_fax_per_team",
            ),
        ]

    def __str__(self) -> str:
        arrow = "→" if self.direction == Direction.OUTGOING else "←"
        return f"{_('Fax')} {self.pk} {arrow} {self.remote_number}"

    def get_absolute_url(self) -> str:
        return reverse("fax-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def provider_status_text(self) -> str:
        from .timeline import provider_status_text

        return provider_status_text(self.provider_status)

    @property
    def error_text(self) -> str:
        """Why it failed, in the reader's language (rows from before keys: see ``stored_text.render_kept``)."""
        from .timeline import render_error

        return render_error(self.error_stored, old_text=self.error)

    @property
    def error_fields_display(self) -> dict[str, list[str]]:
        from .timeline import render_error

        return {name: [render_error(m) for m in problems] for name, problems in (self.error_fields or {}).items()}

    def documents_of(self, role: str) -> list[FaxDocument]:
        return [d for d in self.documents.all() if d.role == role]


class FaxDocument(models.Model):
    class Role(models.TextChoices):
        ORIGINAL = "original", _("Original")
        TRANSMITTED = "transmitted", _("Transmitted")
        RECEIVED = "received", _("Received")

    fax = models.ForeignKey(Fax, on_delete=models.CASCADE, related_name="documents")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveIntegerField(_("size"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fax document")
        verbose_name_plural = _("fax documents")
        ordering = ["fax", "role", "position"]

    def __str__(self) -> str:
        return self.filename


class FaxEvent(models.Model):
    """One line of a fax's timeline: what happened, when, and what the provider said."""

    fax = models.ForeignKey(Fax, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32)  # queued, attempt, accepted, status, failed, unknown, retry, cancel…
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    # ours: a key of fax.timeline.TEXTS and its parameters, rendered in the reader's language
    message_key = models.CharField(max_length=32, blank=True)
    params = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)  # the provider's own words (or an older event's text), shown as they are
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("fax event")
        verbose_name_plural = _("fax events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.fax_id} {self.kind}"

    @property
    def text(self) -> str:
        from .timeline import provider_status_text, render

        return render(self.message_key, self.params) if self.message_key else provider_status_text(self.message)

    @property
    def label(self) -> str:
        from .timeline import kind_label

        return str(self.get_status_display()) if self.status else kind_label(self.kind)


class FaxInboxPoll(models.Model):
    """The last inbox poll of one provider account, with the received faxes it had to skip and why."""

    account = models.OneToOneField(ProviderAccount, on_delete=models.CASCADE, related_name="fax_inbox_poll")
    polled_at = models.DateTimeField(_("polled at"), null=True, blank=True)
    # [{"provider_id": "…", "error": "…"}] of the last poll (at most SKIPPED_KEPT); a record is tried on every poll
    skipped = models.JSONField(_("skipped records"), default=list, blank=True)

    SKIPPED_KEPT = 20

    class Meta:
        verbose_name = _("fax inbox poll")
        verbose_name_plural = _("fax inbox polls")

    def __str__(self) -> str:
        return f"{self.account} ({len(self.skipped)})"


class CoverTemplate(models.Model):
    """A team's cover page: which fields it shows, its logo, header and footer, the language of its labels."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fax_cover_templates")
    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language of the labels"), max_length=8, choices=settings.LANGUAGES, default="tr")
    shown_fields = models.JSONField(_("fields shown"), default=list)  # keys of fax.cover_page.FIELDS
    header = models.CharField(_("header text"), max_length=300, blank=True)
    footer = models.CharField(_("footer text"), max_length=300, blank=True)
    logo_path = models.CharField(max_length=255, blank=True)  # a PNG in storage, re-encoded when uploaded
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("cover page template")
        verbose_name_plural = _("cover page templates")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="fax_cover_template_name_per_team")]

    def __str__(self) -> str:
        return self.name


class FaxContactGroup(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fax_contact_groups")
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("fax contact group")
        verbose_name_plural = _("fax contact groups")
        ordering = [Collate("name", TURKISH).asc()]  # Ç after C, İ after I (core/collation.py)
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="fax_contact_group_name_per_team")]

    def __str__(self) -> str:
        return self.name


class FaxContact(models.Model):
    """Someone the team faxes: a person or an office at a fax number (several people may share one)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fax_contacts")
    name = models.CharField(_("name"), max_length=150)
    company = models.CharField(_("company"), max_length=150, blank=True)
    fax_number = models.CharField(_("fax number"), max_length=32)  # international digits, as Fax.remote_number
    notes = models.TextField(_("notes"), blank=True)
    groups = models.ManyToManyField(FaxContactGroup, blank=True, related_name="contacts", verbose_name=_("groups"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("fax contact")
        verbose_name_plural = _("fax contacts")
        ordering = [Collate("name", TURKISH).asc(), "fax_number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "fax_number", "name"], name="fax_contact_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({display_digits(self.fax_number)})"
