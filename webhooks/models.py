"""A team's webhook endpoints, the events they hear of, and every delivery and attempt.

An event is stored once; each endpoint subscribed to it gets its own ``Delivery`` (its own id,
sent in ``Telcoportal-Delivery``), and each try of a delivery is an ``Attempt`` row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedJSONField
from accounts.models import Team


class EventType(models.TextChoices):
    SMS_DELIVERED = "sms.delivered", _("SMS delivered")
    SMS_FAILED = "sms.failed", _("SMS not delivered")
    SMS_BATCH_FINISHED = "sms.batch.finished", _("SMS batch finished")
    FAX_RECEIVED = "fax.received", _("Fax received")
    FAX_STATUS = "fax.status", _("Fax status changed")
    CALL_RECORDED = "call.recorded", _("Call recording imported")
    PROVIDER_FAILING = "provider.failing", _("Provider account failing")


class Endpoint(models.Model):
    class DisabledBy(models.TextChoices):
        NOBODY = "", _("enabled")
        PERSON = "person", _("disabled by a person")
        FAILURES = "failures", _("disabled after failing deliveries")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # {"secret": "whsec_…"}: encrypted like provider credentials, since every delivery is signed with it.
    secret = EncryptedJSONField()
    is_active = models.BooleanField(_("enabled"), default=True)
    disabled_by = models.CharField(_("disabled by"), max_length=10, choices=DisabledBy.choices, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    # The first failed attempt since the last successful one: the endpoint is disabled when this is too old.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    @property
    def signing_secret(self) -> str:
        return str(self.secret.get("secret", ""))

    def event_labels(self) -> list[str]:
        return [str(EventType(e).label) for e in self.events if e in EventType.values]


class Event(models.Model):
    """Something that happened, as sent: ``data`` is the payload's ``data``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(_("event"), max_length=32, choices=EventType.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    redelivery_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the next attempt may start (a pending delivery is claimed only once this has passed).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.SENDING)


class Attempt(models.Model):
    class Error(models.TextChoices):
        NONE = "", _("none")
        STATUS = "status", _("The receiver answered with an error status")
        REDIRECT = "redirect", _("The receiver redirected (redirects are not followed)")
        TIMEOUT = "timeout", _("The receiver did not answer in time")
        CONNECTION = "connection", _("Could not connect to the receiver")
        TLS = "tls", _("The receiver's certificate was not accepted")
        REFUSED = "refused", _("This address is not allowed")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=12, choices=Error.choices, blank=True)
    error_detail = models.CharField(_("detail"), max_length=300, blank=True)  # technical, as the library said it

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def succeeded(self) -> bool:
        return not self.error
