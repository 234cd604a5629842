"""A team's inbound mailbox, every mail it took in (claimed once by its Message-ID), and the faxes each became."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedJSONField, is_unreadable
from accounts.models import ProviderAccount, Team, User
from fax.models import CoverTemplate, Fax


class MailboxKind(models.TextChoices):
    IMAP = "imap", _("IMAP mailbox (polled)")
    SMTP = "smtp", _("Address on the portal's SMTP receiver")
    # The demo's mailbox: .eml files dropped in a folder under EMAIL_TO_FAX_FOLDER_ROOT (no server needed).
    FOLDER = "folder", _("Folder of .eml files (demo)")


class ImapSecurity(models.TextChoices):
    TLS = "tls", _("TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (only on a trusted network)")


class MailboxState(models.TextChoices):
    NEW = "new", _("Not checked yet")
    OK = "ok", _("Working")
    LOGIN_FAILED = "login_failed", _("Login refused")
    UNREACHABLE = "unreachable", _("Server unreachable")


class Mailbox(models.Model):
    """The one mailbox a team's members mail faxes to. The IMAP password is encrypted and write-only."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="fax_mailbox")
    enabled = models.BooleanField(_("enabled"), default=False)
    kind = models.CharField(_("kind"), max_length=8, choices=MailboxKind.choices, default=MailboxKind.IMAP)
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("port"), default=993)
    imap_security = models.CharField(
        _("security"), max_length=8, choices=ImapSecurity.choices, default=ImapSecurity.TLS
    )
    imap_user = models.CharField(_("user name"), max_length=255, blank=True)
    secrets = EncryptedJSONField(_("password"))  # {"password": …}, like provider credentials
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    # <fax number>@<address_name>.<EMAIL_TO_FAX_DOMAIN> on the SMTP receiver; also the demo folder's name
    address_name = models.CharField(
        _("address name"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        validators=[
            RegexValidator(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", _("Use lower-case letters, digits and hyphens."))
        ],
    )
    account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default provider account"),
    )
    # A cover page before each mailed fax: the team's template (or the default layout) with the mail's text as its
    # note when ``body_as_cover``; neither: no cover.
    body_as_cover = models.BooleanField(
        _("mail text as cover page"),
        default=False,
        help_text=_("The mail's text becomes the note of a cover page put before the documents."),
    )
    cover_template = models.ForeignKey(
        CoverTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover page template"),
        help_text=_("Chosen: every mailed fax starts with this cover page. Empty: the default layout, when needed."),
    )
    state = models.CharField(_("status"), max_length=12, choices=MailboxState.choices, default=MailboxState.NEW)
    state_detail = models.CharField(_("detail"), max_length=300, blank=True)  # the server's words, secrets-free
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email-to-fax mailbox")
        verbose_name_plural = _("email-to-fax mailboxes")

    def __str__(self) -> str:
        return f"{self.team} ({self.kind})"

    @property
    def password(self) -> str:
        return str(self.secrets.get("password", "")) if not is_unreadable(self.secrets) else ""

    @property
    def has_password(self) -> bool:
        return bool(self.secrets) or is_unreadable(self.secrets)


class MailState(models.TextChoices):
    RECEIVED = "received", _("Being read")
    REFUSED = "refused", _("Refused")
    QUEUED = "queued", _("Fax queued")
    FINISHED = "finished", _("Fax finished")


class InboundMail(models.Model):
    """One mail the mailbox took in: claimed by its Message-ID, so the same mail never sends twice."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fax_mails")
    message_id = models.CharField(_("Message-ID"), max_length=300)
    sender = models.CharField(_("sender"), max_length=254)
    member = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    state = models.CharField(_("status"), max_length=10, choices=MailState.choices, default=MailState.RECEIVED)
    # why it was refused: a key of email_to_fax.refusals.TEXTS and its parameters, read in the reader's language
    reason_key = models.CharField(max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)  # the refusal's or the queued reply

    class Meta:
        verbose_name = _("mail to fax")
        verbose_name_plural = _("mails to fax")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "message_id"], name="one_mail_per_message_id_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"

    @property
    def reason_text(self) -> str:
        from .refusals import refusal_text

        return refusal_text(self.reason_key, self.reason_params) if self.reason_key else ""


class MailFax(models.Model):
    """A fax a mail became; its sender hears once when it ends (``finished_reply_at`` is the claim)."""

    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="mail_faxes")
    fax = models.OneToOneField(Fax, on_delete=models.CASCADE, related_name="+")
    finished_reply_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fax of a mail")
        verbose_name_plural = _("faxes of mails")

    def __str__(self) -> str:
        return f"{self.mail_id} → {self.fax_id}"
