"""Routing rules (which received faxes go to whom by mail), each mail delivery, and members' opt-outs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, ProviderAccount, Team
from fax.models import Fax


class RoutingRule(models.Model):
    """Who gets the faxes that arrive on one of our numbers; the rule with no number catches the rest."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fax_mail_rules")
    # E.164 digits without "+" (core.phones), "" for the catch-all rule
    our_number = models.CharField(_("our fax number"), max_length=32, blank=True)
    members = models.ManyToManyField(Membership, blank=True, related_name="+", verbose_name=_("members"))
    emails = models.JSONField(_("other email addresses"), default=list, blank=True)
    attach_document = models.BooleanField(_("attach the document"), default=True)
    # the language of the mail to addresses that are not members (a member's mail is in their own)
    language = models.CharField(_("language for other addresses"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fax routing rule")
        verbose_name_plural = _("fax routing rules")
        ordering = ["team", "our_number"]
        constraints = [models.UniqueConstraint(fields=["team", "our_number"], name="unique_fax_mail_rule_number")]

    def __str__(self) -> str:
        return self.our_number or "*"


class Delivery(models.Model):
    """One received fax mailed to one address: claimed before sending, so it never goes out twice."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")  # waiting for its (first or next) attempt
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")  # the mail server refused the address for good
        FAILED = "failed", _("Failed")  # no attempt left, or nothing to send
        UNKNOWN = "unknown", _("Outcome unknown")  # the connection broke while the server had the mail

    class Document(models.TextChoices):
        ATTACHED = "attached", _("Attached")
        LINK = "link", _("Link")  # larger than FAX_EMAIL_ATTACHMENT_MAX_BYTES: a signed, expiring link
        NONE = "none", _("Not sent")  # the rule sends the notice only

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    fax = models.ForeignKey(Fax, on_delete=models.CASCADE, related_name="mail_deliveries")
    rule = models.ForeignKey(RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    email = models.EmailField(_("email address"), max_length=254)
    language = models.CharField(max_length=8)
    attach_document = models.BooleanField(default=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    document = models.CharField(_("document"), max_length=8, choices=Document.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # why the last attempt did not succeed: a key of fax_to_email.outcomes.REASONS and the server's reply
    error_key = models.CharField(max_length=32, blank=True)
    error_detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fax mail delivery")
        verbose_name_plural = _("fax mail deliveries")
        ordering = ["fax", "pk"]
        constraints = [models.UniqueConstraint(fields=["fax", "email"], name="unique_fax_mail_delivery")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.fax_id} → {self.email}"

    @property
    def reason(self) -> str:
        """Why it is not (yet) sent, in the reader's language."""
        from .outcomes import reason_text

        return reason_text(self.error_key, self.error_detail)


class OptOut(models.Model):
    """A member who asked not to get the team's received faxes by mail."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fax mail opt-out")
        verbose_name_plural = _("fax mail opt-outs")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_fax_mail_opt_out")]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.user_id}"


class ProviderMailto(models.Model):
    """The fax-to-email addresses last set at a provider that keeps its own (Telphin), as it answered."""

    account = models.OneToOneField(ProviderAccount, on_delete=models.CASCADE, related_name="+")
    addresses = models.JSONField(default=list, blank=True)
    set_at = models.DateTimeField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("provider fax-to-email setting")
        verbose_name_plural = _("provider fax-to-email settings")

    def __str__(self) -> str:
        return ", ".join(self.addresses)
