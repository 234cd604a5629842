"""PasifikClient fax endpoints against the Pasifik sandbox: upload, submit, reports, inbox, download."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from providers.errors import InvalidRequest, NotFound, ProviderUnavailable
from providers.pasifik import FaxReport, FaxUploadResult, InboxFax, PasifikClient, SubmitResult
from sandbox.core import RecordedRequest, Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS, DEMO_FAX_NUMBERS, FAX_DELIVERY_SECONDS

DEMO_AUTHORIZATION = base64.b64encode(b"demo:demo-pass").decode()
ISTANBUL = ZoneInfo("Europe/Istanbul")
OUR_FAX = DEMO_FAX_NUMBERS[0]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(sandbox_url: str, waits: list[float]) -> Iterator[PasifikClient]:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=waits.append) as client:
        yield client


def the_request(sandbox: Sandbox, path: str, *, content_type: str = "application/json") -> RecordedRequest:
    [request] = sandbox.requests_for("pasifik")
    assert request.method == "POST"
    assert request.path == path
    assert request.header("Authorization") == DEMO_AUTHORIZATION
    assert (request.header("Content-Type") or "").startswith(content_type)
    assert request.header("Accept") == "application/json"
    return request


def uploaded(client: PasifikClient) -> str:
    return client.fax_upload(file=PDF, filename="contract.pdf").filename


def test_it_uploads_a_document_as_multipart_form_data(client: PasifikClient, sandbox: Sandbox) -> None:
    result = client.fax_upload(file=io.BytesIO(PDF), filename="contract.pdf")

    request = the_request(sandbox, "/en/api/fax/upload/", content_type="multipart/form-data; boundary=")
    assert request.files["filename"]["filename"] == "contract.pdf"
    assert request.files["filename"]["content_type"] == "application/pdf"
    assert request.files["filename"]["content"] == PDF
    assert isinstance(result, FaxUploadResult)
    assert result.filename.endswith(".pdf") and result.filename != "contract.pdf"
    assert result.code == 200


def test_it_raises_invalid_request_when_the_provider_refuses_an_upload(client: PasifikClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.fax_upload(file=b"not really a pdf", filename="contract.pdf")

    assert "filename" in caught.value.field_errors


def test_it_never_retries_an_upload_after_a_server_error(
    client: PasifikClient, sandbox: Sandbox, waits: list[float]
) -> None:
    sandbox.inject("500", provider="pasifik", path="fax/upload")

    with pytest.raises(ProviderUnavailable) as caught:
        client.fax_upload(file=PDF, filename="contract.pdf")

    assert caught.value.request_sent is True
    assert len(sandbox.requests_for("pasifik")) == 1
    assert waits == []


def test_it_submits_an_uploaded_document_with_every_option(client: PasifikClient, sandbox: Sandbox) -> None:
    filename = uploaded(client)
    sandbox.requests.clear()

    result = client.fax_submit(
        sender=OUR_FAX,
        to=["902169999997", "902169999996"],
        filename=filename,
        is_enhanced=True,
        scheduled_delivery_time=datetime(2030, 7, 24, 0, 54, 2, tzinfo=ISTANBUL),
        period=2000,
    )

    assert the_request(sandbox, "/en/api/fax/submit/").json() == {
        "from": OUR_FAX,
        "to": "902169999997,902169999996",
        "filename": filename,
        "is_enhanced": True,
        "scheduled_delivery_time": "2030-07-23T21:54:02Z",
        "period": 1440,
    }
    assert isinstance(result, SubmitResult)
    assert result.id > 0 and result.code == 200


def test_it_raises_invalid_request_when_submit_answers_200_with_id_minus_one(
    client: PasifikClient, sandbox: Sandbox
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.fax_submit(sender=OUR_FAX, to="902169999997", filename="never-uploaded.pdf")

    assert "never-uploaded.pdf" in caught.value.message
    assert len(sandbox.requests_for("pasifik")) == 1


def test_it_never_retries_a_fax_submit_that_timed_out(sandbox_url: str, sandbox: Sandbox) -> None:
    waits: list[float] = []
    sandbox.inject("timeout", provider="pasifik", path="fax/submit", delay=1.0)

    with (
        PasifikClient(
            **DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", timeout=(2, 0.3), sleep=waits.append
        ) as client,
        pytest.raises(ProviderUnavailable) as caught,
    ):
        client.fax_submit(sender=OUR_FAX, to="902169999997", filename="x.pdf")

    assert caught.value.request_sent is True
    assert len(sandbox.requests_for("pasifik")) == 1
    assert waits == []


def test_it_rejects_an_unknown_download_format_before_sending(client: PasifikClient, sandbox: Sandbox) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.fax_download(sender=OUR_FAX, filename="a.pdf", format="png")

    assert "format" in caught.value.field_errors
    assert sandbox.requests_for("pasifik") == []


def test_it_follows_a_sent_fax_by_its_id(client: PasifikClient, sandbox: Sandbox) -> None:
    filename = uploaded(client)
    sent = client.fax_submit(sender=OUR_FAX, to="902169999997,902169999999", filename=filename)
    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 5)
    sandbox.requests.clear()

    report = client.fax_query(fax_id=sent.id)

    assert the_request(sandbox, "/en/api/fax/query/").json() == {"fax_id": str(sent.id)}
    assert isinstance(report, FaxReport)
    assert (report.fax_id, report.sender, report.filename) == (sent.id, OUR_FAX, filename)
    assert (report.count, report.delivered, report.undelivered, report.waiting) == (2, 1, 1, 0)
    assert isinstance(report.cost, Decimal)
    assert report.created is not None and report.created.utcoffset() == timedelta(hours=3)
    assert report.is_scheduled is False


def test_it_raises_not_found_for_an_unknown_fax_id(client: PasifikClient) -> None:
    with pytest.raises(NotFound):
        client.fax_query(fax_id=999999)


def test_it_lists_sent_faxes_between_two_turkish_dates(client: PasifikClient, sandbox: Sandbox) -> None:
    today = sandbox.clock.now().astimezone(ISTANBUL).date()

    reports = client.fax_query_report(start_date=today - timedelta(days=7), end_date=today)

    assert the_request(sandbox, "/en/api/fax/query/report/").json() == {
        "start_date": (today - timedelta(days=7)).strftime("%d.%m.%Y"),
        "end_date": today.strftime("%d.%m.%Y"),
    }
    assert len(reports) == 5  # the sandbox's demo faxes
    assert all(isinstance(report, FaxReport) and report.sender == OUR_FAX for report in reports)


def test_it_lists_received_faxes_and_downloads_one_as_tiff(client: PasifikClient, sandbox: Sandbox) -> None:
    today = sandbox.clock.now().astimezone(ISTANBUL).date()

    inbox = client.fax_query_inbox(start_date=today - timedelta(days=7), end_date=today)

    assert the_request(sandbox, "/en/api/fax/query/inbox/").json() == {
        "start_date": (today - timedelta(days=7)).strftime("%d.%m.%Y"),
        "end_date": today.strftime("%d.%m.%Y"),
    }
    assert inbox
    fax = inbox[0]
    assert isinstance(fax, InboxFax)
    assert fax.cld == OUR_FAX and fax.filename.startswith("rxfax-")
    assert fax.received_at is not None and fax.received_at.tzinfo is not None
    assert isinstance(fax.is_mailed, bool) and isinstance(fax.fax_id, int)

    sandbox.requests.clear()
    with client.fax_download(sender=fax.cld, filename=fax.filename, format="tiff", directory="rxfax") as download:
        body = b"".join(download)

    assert the_request(sandbox, "/en/api/fax/download/").json() == {
        "from": OUR_FAX,
        "filename": fax.filename,
        "format": "tiff",
        "directory": "rxfax",
    }
    assert body[:4] in (b"II*\x00", b"MM\x00*")
    assert download.content_type == "image/tiff"
    assert download.filename.endswith(".tiff")


def test_it_downloads_a_sent_document_as_pdf_into_a_file(client: PasifikClient, sandbox: Sandbox) -> None:
    filename = uploaded(client)
    sandbox.requests.clear()
    target = io.BytesIO()

    written = client.fax_download(sender=OUR_FAX, filename=filename, format="pdf").write_to(target)

    assert the_request(sandbox, "/en/api/fax/download/").json() == {
        "from": OUR_FAX,
        "filename": filename,
        "format": "pdf",
        "directory": "txfax",
    }
    assert written == len(PDF) and target.getvalue() == PDF


def test_it_raises_not_found_for_a_document_that_does_not_exist(client: PasifikClient) -> None:
    with pytest.raises(NotFound):
        client.fax_download(sender=OUR_FAX, filename="3f0b8c2e-0000-4000-8000-000000000000.pdf", format="pdf")
