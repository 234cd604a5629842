"""A mail to the team's mailbox becomes faxes at the provider, or a clear refusal that sends nothing."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from email_to_fax.intake import mail_take
from email_to_fax.models import InboundMail, MailState
from fax.models import Fax, FaxDocument, FaxDraft, Status
from sandbox.pasifik import FAX_DELIVERY_SECONDS
from tests.email_to_fax.mails import (
    FAILING_NUMBER,
    OK_NUMBER,
    encrypted_pdf,
    mail_bytes,
    pages_pdf,
    png,
    zip_bomb,
)
from tests.fax.helpers import track

pytestmark = pytest.mark.django_db


def take(capture, mailbox, raw: bytes, **kwargs):
    with capture(execute=True):
        return mail_take(mailbox=mailbox, raw=raw, **kwargs)


def submits(sandbox) -> list:
    return [r for r in sandbox.requests_for("pasifik") if r.method == "POST" and "fax/submit" in r.path]


def refused(capture, mailbox, sandbox, mailoutbox, raw: bytes, key: str) -> str:
    """Takes ``raw``: refused for ``key``, no fax, nothing at the provider; the one reply's body."""
    taken = take(capture, mailbox, raw)
    assert taken.outcome == "refused"
    assert taken.mail.reason_key == key, taken.mail.reason_params
    assert Fax.objects.count() == 0 and not submits(sandbox)
    [reply] = mailoutbox
    assert reply.subject.startswith("Not faxed:")
    assert "Nothing was sent." in reply.body
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    return reply.body


def test_a_members_mail_becomes_a_fax_sent_once_through_the_default_account(
    alice, mailbox, fax_account, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    taken = take(django_capture_on_commit_callbacks, mailbox, mail_bytes(subject="Fax: +90 212 555 01 23"))

    assert taken.outcome == "queued"
    [fax] = Fax.objects.all()
    assert (fax.remote_number, fax.account, fax.created_by, fax.status) == (OK_NUMBER, fax_account, alice, "sending")
    assert fax.pages == 2
    assert fax.documents.filter(role=FaxDocument.Role.TRANSMITTED).exists()  # the web form's pipeline: a fax TIFF
    assert len(submits(sandbox)) == 1
    assert AuditEvent.objects.filter(action="fax.send", object_id=str(fax.pk), actor=alice).exists()
    [reply] = mailoutbox
    assert reply.to == ["alice@example.com"]
    assert reply.subject.startswith("Fax queued")
    assert "+90 212 555 01 23" in reply.body and "Head office" in reply.body


def test_the_same_mail_taken_twice_sends_once(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    raw = mail_bytes(message_id="<same@mail.example.com>")
    first = take(django_capture_on_commit_callbacks, mailbox, raw)
    second = take(django_capture_on_commit_callbacks, mailbox, raw)

    assert (first.outcome, second.outcome) == ("queued", "duplicate")
    assert Fax.objects.count() == 1 and len(submits(sandbox)) == 1
    assert InboundMail.objects.count() == 1
    assert len(mailoutbox) == 1


def test_the_number_can_be_the_recipients_address_and_several_numbers_the_subject(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes(to="+905321234567@fax.example.com", subject="Hi"))
    assert list(Fax.objects.values_list("remote_number", flat=True)) == ["905321234567"]

    take(
        django_capture_on_commit_callbacks,
        mailbox,
        mail_bytes(subject="Contract Fax: +90 212 555 01 23, 0212 555 01 24"),
    )
    assert set(Fax.objects.values_list("remote_number", flat=True)) == {"905321234567", OK_NUMBER, "902125550124"}


def test_an_account_named_in_brackets_is_used_instead_of_the_default(
    alice, mailbox, team_a, sandbox_account, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    other = sandbox_account(team_a, "telphin", label="Branch")
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes(subject="[branch] Fax: +90 212 555 01 23"))

    assert Fax.objects.get().account == other


def test_an_unknown_account_name_is_refused(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    body = refused(
        django_capture_on_commit_callbacks,
        mailbox,
        sandbox,
        mailoutbox,
        mail_bytes(subject="[Nowhere] Fax: +90 212 555 01 23"),
        "unknown_account",
    )
    assert "“Nowhere”" in body


def test_a_mail_from_someone_outside_the_team_is_refused(
    alice, charlie, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    body = refused(
        django_capture_on_commit_callbacks,
        mailbox,
        sandbox,
        mailoutbox,
        mail_bytes(sender="charlie@example.com"),
        "not_member",
    )
    assert mailoutbox[0].to == ["charlie@example.com"]
    assert "charlie@example.com is not one of them" in body


def test_a_member_whose_role_cannot_send_is_refused(
    bob, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    refused(
        django_capture_on_commit_callbacks,
        mailbox,
        sandbox,
        mailoutbox,
        mail_bytes(sender="bob@example.com"),
        "not_member",
    )


@pytest.mark.parametrize(
    "results",
    [
        "mx.example.com; spf=fail smtp.mailfrom=example.com; dkim=pass header.d=example.com",
        "mx.example.com; spf=pass smtp.mailfrom=example.com; dkim=fail header.d=example.com",
        "mx.example.com; dmarc=fail header.from=example.com",
    ],
)
def test_a_mail_failing_spf_dkim_or_dmarc_sends_nothing_and_answers_no_one(
    results, alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    taken = take(django_capture_on_commit_callbacks, mailbox, mail_bytes(headers={"Authentication-Results": results}))

    assert taken.mail.reason_key == "auth_failed"
    assert Fax.objects.count() == 0 and not submits(sandbox)
    assert mailoutbox == []  # the address may be forged: an answer would go to whoever it belongs to


def test_passing_checks_are_honoured_and_a_foreign_servers_header_is_ignored_when_ours_is_named(
    alice, mailbox, sandbox, mailoutbox, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_TO_FAX_AUTHSERV_IDS = ["mx.ourcompany.com"]
    headers = {"Authentication-Results": "evil.example.net; spf=fail smtp.mailfrom=example.com"}
    taken = take(django_capture_on_commit_callbacks, mailbox, mail_bytes(headers=headers))

    assert taken.outcome == "queued"


def test_an_automatic_mail_is_not_answered(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    taken = take(django_capture_on_commit_callbacks, mailbox, mail_bytes(headers={"Auto-Submitted": "auto-replied"}))
    assert taken.mail.reason_key == "automatic" and mailoutbox == [] and Fax.objects.count() == 0


def test_a_mail_without_a_document_is_refused(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    body = refused(
        django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, mail_bytes(attachments=()), "no_document"
    )
    assert "attach a PDF" in body


def test_a_bad_number_is_refused(alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks) -> None:
    body = refused(
        django_capture_on_commit_callbacks,
        mailbox,
        sandbox,
        mailoutbox,
        mail_bytes(subject="Fax: 12345"),
        "bad_number",
    )
    assert "Not a valid fax number: 12345" in body


def test_a_mail_naming_no_number_is_refused_with_the_forms_to_use(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    body = refused(
        django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, mail_bytes(subject="Contract"), "no_number"
    )
    assert "Fax: +90 212 555 01 23" in body


def test_an_oversized_mail_is_refused(
    alice, mailbox, sandbox, mailoutbox, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_TO_FAX_MAX_MB = 1
    raw = mail_bytes(attachments=[("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))])
    body = refused(django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, raw, "mail_too_big")
    assert "larger than 1 MB" in body


def test_a_zip_bomb_is_refused_without_being_unpacked(
    alice, team_a, mailbox, sandbox_account, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    sandbox_account(team_a, "telsam", label="Office files")  # the provider that takes Word and Excel files
    raw = mail_bytes(subject="[Office files] Fax: +90 212 555 01 23", attachments=[("docs.zip", zip_bomb())])
    body = refused(django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, raw, "document")
    assert "docs.zip: This ZIP file is not a Word or Excel document." in body


def test_a_500_page_pdf_is_refused(alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks) -> None:
    raw = mail_bytes(attachments=[("long.pdf", pages_pdf(500))])
    body = refused(django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, raw, "document")
    assert "long.pdf: The document has more than 200 pages." in body


def test_a_fax_long_enough_to_need_confirming_is_refused(
    alice, mailbox, sandbox, mailoutbox, settings, django_capture_on_commit_callbacks
) -> None:
    settings.FAX_CONFIRM_PAGES = 3
    raw = mail_bytes(attachments=[("long.pdf", pages_pdf(4))])
    body = refused(django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, raw, "confirm_pages")
    assert "4 pages" in body
    assert not Fax.objects.exists() and not FaxDraft.objects.exists()
    assert not [p for p in (settings.MEDIA_ROOT / "fax").rglob("*") if p.is_file()]  # no stored file left behind


def test_an_encrypted_pdf_is_refused(alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks) -> None:
    raw = mail_bytes(attachments=[("locked.pdf", encrypted_pdf())])
    body = refused(django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, raw, "document")
    assert "protected by a password" in body


def test_an_attachment_that_is_not_what_its_name_says_is_refused(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    raw = mail_bytes(attachments=[("invoice.pdf", png())])
    body = refused(django_capture_on_commit_callbacks, mailbox, sandbox, mailoutbox, raw, "name_mismatch")
    assert "invoice.pdf is not what its name says: its content is PNG." in body


def test_an_image_attachment_is_faxed(alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks) -> None:
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes(attachments=[("scan.png", png())]))
    assert Fax.objects.get().pages == 1


def test_the_refusal_is_written_in_the_members_language(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    alice.language = "tr"
    alice.save(update_fields=["language"])
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes(attachments=()))

    [reply] = mailoutbox
    assert reply.subject.startswith("Fakslanmadı:")
    assert "Hiçbir şey gönderilmedi." in reply.body


def test_the_sender_hears_when_the_fax_is_delivered(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes())
    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 120)
    with django_capture_on_commit_callbacks(execute=True):
        fax = track(Fax.objects.get())

    assert fax.status == Status.SENT
    queued, finished = mailoutbox
    assert queued.subject.startswith("Fax queued")
    assert finished.subject.startswith("Fax delivered")
    assert "was delivered (2 pages)" in finished.body
    assert InboundMail.objects.get().state == MailState.FINISHED
    with django_capture_on_commit_callbacks(execute=True):
        track(fax)  # polled again: no second answer
    assert len(mailoutbox) == 2


def test_the_sender_hears_why_the_fax_failed(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes(subject=f"Fax: +{FAILING_NUMBER}"))
    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 120)
    with django_capture_on_commit_callbacks(execute=True):
        fax = track(Fax.objects.get())

    assert fax.status == Status.FAILED
    [finished] = [m for m in mailoutbox if m.subject.startswith("Fax failed")]
    reason = fax.error_text or fax.provider_status_text  # what the fax's page says
    assert reason and f"failed: {reason}" in finished.body


def test_a_provider_outage_while_queued_is_retried_and_the_sender_hears_only_when_it_really_ends(
    alice, mailbox, fax_account, sandbox, sandbox_url, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from fax import tasks as fax_tasks
    from fax.services import sending

    later: list[int] = []  # the retries the send task schedules for later, held here instead of run at once
    queue_now = fax_tasks.send_fax.apply_async

    def queue(args, countdown=None, **kwargs):
        return later.append(args[0]) if countdown else queue_now(args, **kwargs)

    monkeypatch.setattr(fax_tasks.send_fax, "apply_async", queue)
    fax_account.base_url = "http://127.0.0.1:9/pasifik"  # the provider is down: nothing listens there
    fax_account.save()
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes())

    fax = Fax.objects.get()
    assert fax.status == Status.QUEUED and fax.attempts == 1  # back in the queue after its first attempt
    assert later == [fax.pk]  # its next attempt scheduled
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Fax queued"]  # no final answer yet

    fax_account.base_url = f"{sandbox_url}/pasifik"  # the provider is back for the retry
    fax_account.save()
    with django_capture_on_commit_callbacks(execute=True):
        sending.fax_send(fax_id=fax.pk)
    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 120)
    with django_capture_on_commit_callbacks(execute=True):
        fax = track(Fax.objects.get())

    assert fax.status == Status.SENT and fax.attempts == 2 and len(submits(sandbox)) == 1
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Fax queued", "Fax delivered"]


def test_the_mails_text_becomes_a_cover_page_before_the_documents(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    from PIL import Image

    mailbox.body_as_cover = True
    mailbox.save()
    take(
        django_capture_on_commit_callbacks,
        mailbox,
        mail_bytes(subject="Order 118 Fax: +90 212 555 01 23", body="Please sign page 2 and fax it back."),
    )

    fax = Fax.objects.get()
    assert fax.pages == 3  # the cover, then the two-page PDF
    assert fax.draft.cover["note"] == "Please sign page 2 and fax it back."
    assert fax.draft.cover["subject"] == "Order 118"
    transmitted = fax.documents.get(role=FaxDocument.Role.TRANSMITTED)
    with transmitted.file.open("rb") as handle, Image.open(handle) as image:
        assert image.n_frames == 3
    assert len(submits(sandbox)) == 1
    assert "3 pages" in mailoutbox[0].body


def test_without_the_option_the_mails_text_is_not_faxed(
    alice, mailbox, sandbox, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    take(django_capture_on_commit_callbacks, mailbox, mail_bytes(body="Only for the portal."))
    fax = Fax.objects.get()
    assert fax.pages == 2 and not fax.draft.cover
