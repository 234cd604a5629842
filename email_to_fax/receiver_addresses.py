"""The addresses of the portal's SMTP receiver: ``<fax number>@<address name>.<EMAIL_TO_FAX_DOMAIN>``."""

from __future__ import annotations

from django.conf import settings

from .models import Mailbox, MailboxKind


def receiver_domain() -> str:
    return str(getattr(settings, "EMAIL_TO_FAX_DOMAIN", "") or "").strip().lower().strip(".")


def mailbox_domain(mailbox: Mailbox) -> str:
    """The domain a team's numbers are mailed at on the receiver; "" for other kinds or before it is named."""
    domain = receiver_domain()
    if mailbox.kind != MailboxKind.SMTP or not mailbox.address_name or not domain:
        return ""
    return f"{mailbox.address_name}.{domain}"


def mailbox_for_address(address: str) -> Mailbox | None:
    """The enabled receiver mailbox an envelope recipient belongs to, or None."""
    domain = receiver_domain()
    host = address.rpartition("@")[2].strip().lower().rstrip(".")
    if not domain or not host.endswith("." + domain):
        return None
    name = host[: -len(domain) - 1]
    return Mailbox.objects.select_related("team").filter(kind=MailboxKind.SMTP, enabled=True, address_name=name).first()
