"""PasifikClient SMS endpoints against the Pasifik sandbox."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from providers.errors import InvalidRequest, NotFound
from providers.pasifik import PasifikClient, SmsEnvelope, SmsRecipientReport, SmsReport, SubmitResult
from sandbox.core import RecordedRequest, Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS, SMS_DELIVERY_SECONDS

DEMO_AUTHORIZATION = base64.b64encode(b"demo:demo-pass").decode()
ISTANBUL = ZoneInfo("Europe/Istanbul")


@pytest.fixture
def client(sandbox_url: str) -> Iterator[PasifikClient]:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=lambda _: None) as client:
        yield client


def the_request(sandbox: Sandbox, path: str) -> RecordedRequest:
    [request] = sandbox.requests_for("pasifik")
    assert request.method == "POST"
    assert request.path == path
    assert request.header("Authorization") == DEMO_AUTHORIZATION
    assert request.header("Content-Type") == "application/json"
    assert request.header("Accept") == "application/json"
    return request


def test_it_submits_one_text_to_many_numbers_as_the_document_shows(client: PasifikClient, sandbox: Sandbox) -> None:
    result = client.sms_submit(sender="DEMOFIRMA", to=["905321234567", "905321234560"], text="My first Pasifik SMS")

    request = the_request(sandbox, "/en/api/sms/submit/")
    assert request.json() == {"from": "DEMOFIRMA", "to": "905321234567,905321234560", "text": "My first Pasifik SMS"}
    assert isinstance(result, SubmitResult)
    assert isinstance(result.id, int) and result.id > 0
    assert result.code == 200


def test_it_sends_universal_alphabet_schedule_in_utc_and_clamps_the_period(
    client: PasifikClient, sandbox: Sandbox
) -> None:
    client.sms_submit(
        sender="DEMOFIRMA",
        to="+4915112345670",
        text="أنا أحب اللغة العربية",
        universal=True,
        alphabet="UCS2",
        scheduled_delivery_time=datetime(2030, 7, 24, 0, 54, 2, tzinfo=ISTANBUL),
        period=5000,
    )

    assert the_request(sandbox, "/en/api/sms/submit/").json() == {
        "from": "DEMOFIRMA",
        "to": "+4915112345670",
        "text": "أنا أحب اللغة العربية",
        "universal": True,
        "alphabet": "UCS2",
        "scheduled_delivery_time": "2030-07-23T21:54:02Z",
        "period": 1440,
    }


def test_it_submits_one_envelope_per_number_with_submit_multi(client: PasifikClient, sandbox: Sandbox) -> None:
    result = client.sms_submit_multi(
        sender="DEMOFIRMA",
        envelopes=[SmsEnvelope(to="905321234567", text="SMS test 1"), ("905321234566", "SMS test 2")],
        alphabet="TurkishSingleShift",
    )

    assert the_request(sandbox, "/en/api/sms/submit/multi/").json() == {
        "from": "DEMOFIRMA",
        "envelopes": [{"to": "905321234567", "text": "SMS test 1"}, {"to": "905321234566", "text": "SMS test 2"}],
        "alphabet": "TurkishSingleShift",
    }
    assert result.id > 0


@pytest.mark.parametrize("sender", ["AB", "TWELVECHARSX", "   "])
def test_it_rejects_a_sender_outside_3_to_11_chars_before_sending(
    client: PasifikClient, sandbox: Sandbox, sender: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.sms_submit(sender=sender, to="905321234567", text="hello")

    assert "from" in caught.value.field_errors
    assert sandbox.requests_for("pasifik") == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"alphabet": "Latin1"}, "alphabet"),
        ({"scheduled_delivery_time": datetime(2030, 1, 1, 12, 0)}, "scheduled_delivery_time"),
        ({"period": 0}, "period"),
        ({"universal": True}, "to"),  # abroad numbers must start with +
        ({"to": ""}, "to"),
        ({"text": ""}, "text"),
    ],
)
def test_it_rejects_what_the_document_does_not_allow_before_sending(
    client: PasifikClient, sandbox: Sandbox, options: dict, field: str
) -> None:
    arguments = {"sender": "DEMOFIRMA", "to": "905321234567", "text": "hello", **options}

    with pytest.raises(InvalidRequest) as caught:
        client.sms_submit(**arguments)

    assert field in caught.value.field_errors
    assert sandbox.requests_for("pasifik") == []


def test_it_rejects_an_envelope_with_two_numbers(client: PasifikClient, sandbox: Sandbox) -> None:
    with pytest.raises(InvalidRequest):
        client.sms_submit_multi(sender="DEMOFIRMA", envelopes=[("905321234567,905321234566", "hi")])
    assert sandbox.requests_for("pasifik") == []


def test_it_queries_general_reports_by_turkish_dates_and_coerces_their_types(
    client: PasifikClient, sandbox: Sandbox
) -> None:
    today = sandbox.clock.now().astimezone(ISTANBUL).date()

    reports = client.sms_query_multi(start_date=today - timedelta(days=8), end_date=today)

    assert the_request(sandbox, "/en/api/sms/query/multi/").json() == {
        "start_date": (today - timedelta(days=8)).strftime("%d.%m.%Y"),
        "end_date": today.strftime("%d.%m.%Y"),
    }
    assert len(reports) == 6  # the sandbox's week of demo campaigns
    for report in reports:
        assert isinstance(report, SmsReport)
        assert isinstance(report.count, int) and report.count >= 2
        assert report.count == report.delivered_count + report.undelivered_count + report.waiting_count
        assert isinstance(report.cost, Decimal) and report.cost > 0
        assert report.created is not None and report.created.utcoffset() is not None
        assert report.sender == "DEMOFIRMA"


def test_it_rejects_a_report_range_that_ends_before_it_starts(client: PasifikClient, sandbox: Sandbox) -> None:
    with pytest.raises(InvalidRequest):
        client.sms_query_multi(start_date=date(2026, 3, 14), end_date=date(2026, 3, 1))
    assert sandbox.requests_for("pasifik") == []


def test_it_follows_one_submit_from_waiting_to_delivered(client: PasifikClient, sandbox: Sandbox) -> None:
    submitted_at = sandbox.clock.now()
    result = client.sms_submit(sender="DEMOFIRMA", to="905321234567,905321234569", text="Kargonuz yolda")
    sandbox.clock.advance(SMS_DELIVERY_SECONDS + 5)
    sandbox.requests.clear()

    summary = client.sms_query_multi_by_id(sms_id=result.id)

    assert the_request(sandbox, "/en/api/sms/query/multi/id/").json() == {"sms_id": str(result.id)}
    assert summary.sms_id == result.id
    assert (summary.count, summary.delivered_count, summary.undelivered_count) == (2, 1, 1)
    assert summary.message == "Kargonuz yolda"
    assert abs(summary.created - submitted_at) < timedelta(minutes=2)

    sandbox.requests.clear()
    rows = client.sms_query(sms_id=str(result.id))

    assert the_request(sandbox, "/en/api/sms/query/").json() == {"sms_id": str(result.id)}
    assert all(isinstance(row, SmsRecipientReport) for row in rows)
    by_number = {row.msisdn: row for row in rows}
    assert by_number["5321234567"].is_delivered
    assert by_number["5321234569"].state == "Undelivered"
    assert by_number["5321234567"].status_text == "It was delivered"
    assert isinstance(by_number["5321234567"].cost, Decimal)
    assert by_number["5321234567"].last_updated is not None


def test_it_raises_not_found_for_an_unknown_sms_id(client: PasifikClient) -> None:
    with pytest.raises(NotFound):
        client.sms_query_multi_by_id(sms_id=987654321)


def test_it_reads_answer_texts_in_the_chosen_language(sandbox_url: str, sandbox: Sandbox) -> None:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", language="tr") as client:
        result = client.sms_submit(sender="DEMOFIRMA", to="905321234567", text="Merhaba")
        sandbox.clock.advance(SMS_DELIVERY_SECONDS + 5)
        [row] = client.sms_query(sms_id=result.id)

    assert [r.path for r in sandbox.requests_for("pasifik")] == ["/tr/api/sms/submit/", "/tr/api/sms/query/"]
    assert row.status_text == "İletildi"
    assert row.is_delivered
