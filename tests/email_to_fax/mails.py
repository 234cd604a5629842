"""Mails as a member's mail program would write them, for the email-to-fax tests."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage

import pikepdf

from tests.fax.factories import png_bytes, two_page_pdf

OK_NUMBER = "902125550123"
FAILING_NUMBER = "902125550129"  # the sandboxes fail numbers ending in 9


def pdf_attachment(name: str = "contract.pdf") -> tuple[str, bytes]:
    return name, two_page_pdf()


def mail_bytes(
    *,
    sender: str = "alice@example.com",
    to: str = "faxes@team-a.example.com",
    subject: str = "Fax: +90 212 555 01 23",
    body: str = "Please sign and send back.",
    attachments: Sequence[tuple[str, bytes]] = (("contract.pdf", b""),),
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Sender <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.com>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content in attachments:
        content = content or two_page_pdf()
        message.add_attachment(content, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as a mail program sends them


def pages_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    with pikepdf.open(io.BytesIO(two_page_pdf())) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
        return out.getvalue()


def zip_bomb() -> bytes:
    """A ZIP whose one member unpacks to 200 MB of zeros (about 200 KB packed)."""
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(200):
            member.write(chunk)
    return out.getvalue()


def png() -> bytes:
    return png_bytes()
