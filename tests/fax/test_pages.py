"""Compose → preview → confirm, the list with filters and export, the detail page and downloads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuditEvent
from fax.models import Direction, Fax, FaxDraft, Status
from tests.fax.factories import FaxFactory, fax_with_documents, png_bytes, two_page_pdf
from tests.fax.helpers import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def telphin(team_a, sandbox_account):
    return sandbox_account(team_a, "telphin")


@pytest.fixture
def pasifik(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik")


def compose(client, account, *, files=None, **fields):
    """Posts the compose form; the draft's rendering (queued after the commit) runs as the worker would."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return _compose(client, account, files=files, **fields)


def _compose(client, account, *, files=None, **fields):
    numbers = (account.options or {}).get("fax_numbers") or [""]
    data = {
        "account": account.pk,
        "our_number": numbers[0],
        "recipients": "+90 212 555 01 23",
        "quality": "fine",
        **fields,
    }
    if files is None:
        files = [SimpleUploadedFile("contract.pdf", two_page_pdf(), "application/pdf")]
    data["files"] = files
    return client.post(reverse("fax-new"), data)


def test_the_compose_page_offers_the_accounts_and_their_numbers(alice_client, pasifik) -> None:
    page = alice_client.get(reverse("fax-new")).content.decode()
    assert pasifik.label in page and pasifik.options["fax_numbers"][0] in page
    assert "fax/compose.js" in page


def test_the_compose_page_reads_the_accounts_once_and_lists_them_in_the_models_order(
    alice_client, team_a, pasifik, telphin
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice_client.get(reverse("fax-new"))
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(reverse("fax-new"))
    assert sum('FROM "accounts_provideraccount"' in q["sql"] for q in queries) == 1
    options = [value for value, _label in response.context["form"].fields["account"].choices if value]
    assert [str(v) for v in options] == [str(a.pk) for a in sorted([pasifik, telphin], key=lambda a: (a.kind, a.label))]


def test_compose_then_preview_then_confirm_queues_and_sends(
    storage_backend, alice_client, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    response = compose(alice_client, pasifik, recipients="+902125550123\n+902125550124")

    draft = FaxDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fax-draft", args=[draft.pk])
    preview = alice_client.get(response["Location"])
    assert preview.status_code == 200
    assert preview.context["draft"].pages == 2
    assert b'data-testid="thumbnails"' in preview.content
    thumb = alice_client.get(reverse("fax-draft-page", args=[draft.pk]) + "?n=2")
    assert thumb["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(thumb.content)).width == 300
    assert not Fax.objects.exists()  # nothing is sent before the confirmation
    # The upload and its rendition really sit in storage (on S3: listed by the server).
    assert {f["path"] for f in draft.files} | {draft.rendition["path"]} <= set(storage_backend.names("fax/"))

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = alice_client.post(reverse("fax-draft", args=[draft.pk]))

    assert confirmed.status_code == 302
    assert Fax.objects.filter(status=Status.SENDING).count() == 2
    assert AuditEvent.objects.filter(action="fax.send").count() == 2


def test_a_viewer_cannot_compose(bob_client, pasifik) -> None:
    assert bob_client.get(reverse("fax-new")).status_code == 403
    assert compose(bob_client, pasifik).status_code == 403


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("invoice.pdf", b"MZ this is really an exe", "application/pdf"), "not one of the types"),
        (SimpleUploadedFile("scan.pdf", b"%PDF-1.4 broken", "application/pdf"), "damaged"),
        (SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"), "not really an image"),
        (
            SimpleUploadedFile("report.docx", b"PK\x03\x04word/document.xml", "application/msword"),
            "not one of the types",
        ),
    ],
)
def test_a_bad_file_is_a_clear_error_and_the_rest_of_the_form_is_kept(alice_client, telphin, upload, message) -> None:
    response = compose(alice_client, telphin, files=[upload], recipients="+902125550177")

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["files"])
    assert b"+902125550177" in response.content  # what was typed is still there
    assert not FaxDraft.objects.exists()


def test_office_files_are_accepted_where_the_provider_takes_them(alice_client, team_a, sandbox_account) -> None:
    telsam = sandbox_account(team_a, "telsam")
    docx = SimpleUploadedFile("report.docx", b"PK\x03\x04" + b"word/document.xml" + b"\x00" * 50)

    response = compose(alice_client, telsam, files=[docx])

    assert response.status_code == 302
    draft = FaxDraft.objects.get()
    assert draft.rendition == {}  # sent as it is: only the provider renders Word files
    assert b"no preview" in alice_client.get(response["Location"]).content


def test_a_file_over_the_providers_limit_is_refused(alice_client, telphin) -> None:
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024 + 1), "application/pdf")

    response = compose(alice_client, telphin, files=[big])

    assert "larger than 10 MB" in " ".join(response.context["form"].errors["files"])


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"recipients": "hello, 123"}, "recipients", "Not a valid fax number"),
        ({"recipients": ""}, "recipients", "Enter at least one fax number"),
        ({"our_number": "905550000000"}, "our_number", "Select a valid choice"),
        ({"scheduled_at": "2020-01-01T10:00"}, "scheduled_at", "future"),
    ],
)
def test_form_errors_land_on_their_field(alice_client, pasifik, fields, field, message) -> None:
    response = compose(alice_client, pasifik, **fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_scheduling_is_refused_where_the_provider_cannot(alice_client, telphin) -> None:
    from datetime import timedelta

    from django.utils import timezone

    soon = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = compose(alice_client, telphin, scheduled_at=soon)
    assert "cannot schedule" in " ".join(response.context["form"].errors["scheduled_at"])


def test_editing_a_draft_keeps_its_files(alice_client, telphin) -> None:
    compose(alice_client, telphin)
    draft = FaxDraft.objects.get()

    page = alice_client.get(reverse("fax-new") + f"?draft={draft.pk}")
    assert b"Keeping contract.pdf" in page.content
    response = alice_client.post(
        reverse("fax-new"),
        {
            "draft": draft.pk,
            "account": telphin.pk,
            "our_number": "",
            "recipients": "+902125550124",
            "quality": "normal",
        },
    )

    assert response.status_code == 302
    edited = FaxDraft.objects.latest("pk")
    assert edited.files == draft.files and edited.recipients == ["902125550124"]


def test_provider_field_errors_show_on_the_fields_when_fixing_a_failed_fax(
    alice_client, team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    telsam = sandbox_account(team_a, "telsam")
    [fax] = send(django_capture_on_commit_callbacks, telsam, recipients=["901234"])

    detail = alice_client.get(reverse("fax-detail", args=[fax.pk]))
    assert b"Fix and send again" in detail.content
    page = alice_client.get(reverse("fax-new") + f"?from={fax.pk}")

    assert "phones.0" in " ".join(page.context["form"].errors["recipients"])
    assert b"Keeping contract.pdf" in page.content


def test_the_list_filters_and_exports(alice_client, team_a, charlie) -> None:
    FaxFactory(team=team_a, remote_number="902125550111", status=Status.SENT)
    FaxFactory(team=team_a, remote_number="902125550222", status=Status.FAILED)
    FaxFactory(team=team_a, remote_number="902125550333", direction=Direction.INCOMING, status=Status.RECEIVED)
    FaxFactory(remote_number="902125550444")  # another team's

    page = alice_client.get(reverse("fax-list")).content.decode()
    assert all(f"+90 212 555 0{n}" in page for n in ("1 11", "2 22", "3 33")) and "555 04 44" not in page
    failed = alice_client.get(reverse("fax-list") + "?status=failed").content.decode()
    assert "555 02 22" in failed and "555 01 11" not in failed
    by_number = alice_client.get(reverse("fax-list") + "?number=0333").content.decode()
    assert "555 03 33" in by_number and "555 02 22" not in by_number

    export = alice_client.get(reverse("fax-list") + "?direction=out&export=csv")
    assert export["Content-Type"].startswith("text/csv")
    body = b"".join(export.streaming_content).decode()
    assert "902125550111" in body and "902125550222" in body and "902125550333" not in body


def test_the_detail_page_shows_timeline_thumbnails_and_downloads_with_an_audit(
    storage_backend, bob_client, team_a
) -> None:
    fax = fax_with_documents(team_a)

    page = bob_client.get(reverse("fax-detail", args=[fax.pk]))
    assert page.status_code == 200
    assert list(page.context["page_numbers"]) == [1, 2]
    assert bob_client.get(reverse("fax-page", args=[fax.pk]) + "?n=2")["Content-Type"] == "image/png"
    download = bob_client.get(reverse("fax-document", args=[fax.pk]) + "?role=original&n=0")
    assert download.status_code == 200
    stored = fax.documents.get().file.name
    assert b"".join(download.streaming_content) == storage_backend.read(stored) and stored.endswith(".pdf")
    assert AuditEvent.objects.filter(action="fax.download", object_id=str(fax.pk)).exists()
    assert b"Retry" not in page.content and b"Resend" not in page.content  # a viewer


def test_the_status_part_polls_while_unfinished(alice_client, team_a) -> None:
    fax = FaxFactory(team=team_a, status=Status.SENDING)
    part = alice_client.get(reverse("fax-detail", args=[fax.pk]), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 3s"' in part.content and b"<html" not in part.content


def test_retry_is_refused_with_a_message_where_it_does_not_apply(alice_client, team_a) -> None:
    fax = FaxFactory(team=team_a, status=Status.SENT, provider_id="5", provider_status="sent")
    response = alice_client.post(reverse("fax-retry", args=[fax.pk]), follow=True)
    assert b"cannot be retried" in response.content


def test_fetching_the_transmitted_document_from_the_provider(
    storage_backend, alice_client, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    from fax.models import FaxDocument

    [fax] = send(django_capture_on_commit_callbacks, pasifik, recipients=["902125550123"])
    fax.documents.filter(role=FaxDocument.Role.TRANSMITTED).delete()  # as if we had not kept it

    response = alice_client.get(reverse("fax-document", args=[fax.pk]) + "?role=transmitted")

    assert response.status_code == 200
    fetched = fax.documents.get(role=FaxDocument.Role.TRANSMITTED)
    assert b"".join(response.streaming_content) == storage_backend.read(fetched.file.name)
    assert storage_backend.read(fetched.file.name).startswith(b"%PDF")


def test_images_go_as_pdf_when_the_account_asks_for_pdf(alice_client, team_a, sandbox_account) -> None:
    account = sandbox_account(team_a, "telphin")
    account.options = {**account.options, "fax_format": "pdf"}
    account.save()

    compose(alice_client, account, files=[SimpleUploadedFile("p.png", png_bytes(), "image/png")])

    assert FaxDraft.objects.get().rendition["media_type"] == "application/pdf"


def test_good_files_are_kept_when_another_field_is_wrong(alice_client, telphin) -> None:
    first = compose(alice_client, telphin, recipients="not a number")
    assert first.status_code == 200
    kept = first.context["kept"]
    assert kept and b"Keeping contract.pdf" in first.content

    second = alice_client.post(
        reverse("fax-new"),
        {"kept": kept, "account": telphin.pk, "our_number": "", "recipients": "+902125550123", "quality": "fine"},
    )

    assert second.status_code == 302
    assert FaxDraft.objects.get().files[0]["filename"] == "contract.pdf"


def test_kept_files_of_another_team_are_ignored(alice_client, charlie, telphin) -> None:
    from django.core import signing

    from fax.views import KEPT_SALT

    forged = signing.dumps(
        {"team": charlie.memberships.get().team_id, "files": [{"path": "x", "filename": "x.pdf"}]}, salt=KEPT_SALT
    )
    response = alice_client.post(
        reverse("fax-new"),
        {"kept": forged, "account": telphin.pk, "our_number": "", "recipients": "+902125550123", "quality": "fine"},
    )
    assert "Choose at least one document" in " ".join(response.context["form"].errors["files"])


def test_retry_cancel_and_resend_through_the_pages(
    alice_client, telphin, sandbox, django_capture_on_commit_callbacks
) -> None:
    [fax] = send(django_capture_on_commit_callbacks, telphin, recipients=["902125550129"])
    sandbox.clock.advance(60)
    from tests.fax.helpers import track

    fax = track(fax)
    detail = alice_client.get(reverse("fax-detail", args=[fax.pk])).content
    assert b"Retry" in detail and b"Cancel" in detail and b"Resend" in detail

    alice_client.post(reverse("fax-retry", args=[fax.pk]))
    assert Fax.objects.get(pk=fax.pk).provider_status == "ready_to_send"
    alice_client.post(reverse("fax-cancel", args=[fax.pk]))
    assert Fax.objects.get(pk=fax.pk).status == Status.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("fax-resend", args=[fax.pk]))
    copy = Fax.objects.exclude(pk=fax.pk).get()
    assert response["Location"] == reverse("fax-detail", args=[copy.pk])
    assert copy.status == Status.SENDING
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"fax.retry", "fax.cancel", "fax.send"}


def test_the_preview_polls_until_the_worker_has_rendered_it(alice_client, telphin) -> None:
    from fax.services import drafts

    _compose(alice_client, telphin)  # the render task not run yet
    draft = FaxDraft.objects.get()

    waiting = alice_client.get(reverse("fax-draft", args=[draft.pk]))
    assert b'hx-trigger="every 1s"' in waiting.content and b"Send to" not in waiting.content
    refused = alice_client.post(reverse("fax-draft", args=[draft.pk]), follow=True)
    assert b"preview is not ready" in refused.content and not Fax.objects.exists()

    drafts.draft_render(draft_id=draft.pk)
    ready = alice_client.get(reverse("fax-draft", args=[draft.pk]), HTTP_HX_REQUEST="true")
    assert b"Send to 1 number" in ready.content and b"every 1s" not in ready.content


def test_a_document_that_cannot_be_rendered_says_so_on_the_preview(alice_client, telphin, monkeypatch) -> None:
    from fax import documents

    def broken(*args, **kwargs):
        raise documents.DocumentError("pdf_damaged")

    monkeypatch.setattr(documents, "fax_tiff", broken)
    compose(alice_client, telphin)
    draft = FaxDraft.objects.get()

    page = alice_client.get(reverse("fax-draft", args=[draft.pk]))
    assert b"damaged" in page.content and b"Send to" not in page.content


def test_the_export_defuses_cells_that_look_like_formulas(alice_client, team_a) -> None:
    FaxFactory(team=team_a, status=Status.FAILED, error='=HYPERLINK("http://evil")')
    body = b"".join(alice_client.get(reverse("fax-list") + "?export=csv").streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_a_status_filter_bookmarked_with_the_old_spelling_still_filters(alice_client, team_a) -> None:
    cancelled = FaxFactory(team=team_a, status=Status.CANCELLED)
    FaxFactory(team=team_a, status=Status.SENT)
    response = alice_client.get(reverse("fax-list"), {"status": "canceled"})
    assert [fax.pk for fax in response.context["filter"].qs] == [cancelled.pk]
