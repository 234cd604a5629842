"""PasifikClient reading the document's own example answers, and error bodies the sandbox never sends.

Served with ``responses`` (no socket is opened): the examples are copied from
``pasifik-telekom-api-v2.txt`` so a drift between them and the client shows here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses

from providers.errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ProviderUnavailable,
    UnexpectedResponse,
)
from providers.pasifik import PasifikClient
from providers.records import SkippedRecord

API = "https://oim.pasifiktelekom.com.tr/en/api/"
ISTANBUL = ZoneInfo("Europe/Istanbul")


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client(mocked: responses.RequestsMock) -> PasifikClient:
    return PasifikClient(username="Aladdin", password="open sesame", sleep=lambda _: None)


def answer(mocked: responses.RequestsMock, path: str, body: Any, status: int = 200, **kwargs: Any) -> None:
    mocked.add(responses.POST, API + path, json=body, status=status, **kwargs)


def test_it_sends_the_documents_own_authorization_value(mocked: responses.RequestsMock, client: PasifikClient) -> None:
    answer(mocked, "user/getsettings/", {"username": "YOURUSERNAME"})

    client.user_settings()

    assert mocked.calls[0].request.headers["Authorization"] == "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="


def test_it_reads_the_submit_example_with_string_id_and_code(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(mocked, "sms/submit/", {"id": "123456", "code": "200", "description": "OK"})

    result = client.sms_submit(sender="YOURCOMPANY", to="905399999999,905399999998", text="My first Pasifik SMS")

    assert (result.id, result.code, result.description) == (123456, 200, "OK")


def test_it_reads_the_query_multi_example_with_string_counts_and_cost(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(
        mocked,
        "sms/query/multi/",
        [
            {
                "count": "4",
                "sender": "YOURCOMPANY",
                "succeeded": True,
                "created": "12.03.2016 - 19:58",
                "waiting_count": "0",
                "delivered_count": "3",
                "cost": "0.024",
                "message": "Test SMS 1",
                "undelivered_count": "1",
                "sms_id": 123456,
            }
        ],
    )

    [report] = client.sms_query_multi(start_date=datetime(2016, 3, 1).date(), end_date=datetime(2016, 3, 14).date())

    assert json.loads(mocked.calls[0].request.body) == {"start_date": "01.03.2016", "end_date": "14.03.2016"}
    assert (report.sms_id, report.count, report.delivered_count, report.undelivered_count) == (123456, 4, 3, 1)
    assert report.cost == Decimal("0.024")
    assert report.created == datetime(2016, 3, 12, 19, 58, tzinfo=ISTANBUL)


def test_it_reads_the_detailed_report_example(mocked: responses.RequestsMock, client: PasifikClient) -> None:
    answer(
        mocked,
        "sms/query/",
        [
            {
                "network": 1086,
                "sequence": 0,
                "msisdn": "5399999999",
                "xser": "",
                "lastupdated": "12.03.2016 - 19:58",
                "errorcode": "It was delivered",
                "state": "Delivered",
                "cost": 1.0,
                "submitted": "12.03.2016 - 19:58",
                "payload": "Test 1",
                "sms_id": 123456,
            }
        ],
    )

    [row] = client.sms_query(sms_id=123456)

    assert json.loads(mocked.calls[0].request.body) == {"sms_id": "123456"}
    assert (row.network, row.msisdn, row.is_delivered, row.cost) == (1086, "5399999999", True, Decimal("1.0"))


def test_it_reads_the_settings_example(mocked: responses.RequestsMock, client: PasifikClient) -> None:
    answer(
        mocked,
        "user/getsettings/",
        {
            "username": "YOURUSERNAME",
            "tel_balance_pkt": 0,
            "tel_account_list": [252, 230, 223],
            "undelivered_all": 0,
            "delivered_all": 65,
            "sms_balance_pkt": 454,
            "waiting_all": 0,
            "currency": "TRY",
            "count_all": 65,
            "fullname": "Will Smith",
            "balance": 718.21,
        },
    )

    settings = client.user_settings()

    assert settings.balance == Decimal("718.21")
    assert settings.tel_account_list == (252, 230, 223)
    assert (settings.sms_balance_pkt, settings.count_all) == (454, 65)


def test_it_reads_the_history_example_in_utc(mocked: responses.RequestsMock, client: PasifikClient) -> None:
    answer(
        mocked,
        "tel/history/",
        [
            {
                "accessibility_cost": 0.0,
                "protocol": "SIP",
                "connect_time": "11:56:03.000 GMT Fri Dec 11 2015",
                "prefix": "B001",
                "cost": 0.09,
                "result": 0,
                "duration": 36.0,
                "cli": "02169999999",
                "pdd1xx": 7.032889127,
                "cld": "B001905999999999",
                "i_cdr": 17950807,
                "call_id": "7c1b58806de5f5b941b7282b0abea9e0@1.1.1.1",
                "delay": 22.0,
                "i_call": 17950844,
                "i_account": 123456,
                "disconnect_time": "11:56:39.000 GMT Fri Dec 11 2015",
                "price_n": 0.09,
                "billed_duration": 60.0,
                "plan_duration": 0.0,
            }
        ],
    )

    [call] = client.tel_history(i_account=12345)

    assert json.loads(mocked.calls[0].request.body) == {"i_account": 12345}
    assert call.connect_time == datetime(2015, 12, 11, 11, 56, 3, tzinfo=UTC)
    assert call.disconnect_time - call.connect_time == timedelta(seconds=36)
    assert (call.billed_duration, call.cost, call.price_n) == (60, Decimal("0.09"), Decimal("0.09"))
    assert call.setup_time is None


def test_it_reads_the_live_example_with_string_ids_as_integers(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(
        mocked,
        "tel/live/",
        [
            {
                "b2bua_tag": "2",
                "cli": "908509999999",
                "i_connection": 1,
                "cld": "123456",
                "call_id": "c80634fb-6f7ad6fd@1.1.1.1",
                "delay": 2,
                "duration": 10,
                "cc_state": "Connected",
                "i_account": 123,
                "id": "687987",
                "country": "TURKEY",
                "description": "Pasifik Telekom",
            }
        ],
    )

    [call] = client.tel_live(i_account_list=[123, 456])

    assert json.loads(mocked.calls[0].request.body) == {"i_account_list": [123, 456]}
    assert (call.id, call.duration, call.cc_state) == (687987, 10, "Connected")


def test_it_raises_when_a_disconnect_result_is_not_ok(mocked: responses.RequestsMock, client: PasifikClient) -> None:
    answer(mocked, "tel/live/disconnect/", {"result": "FAILED"})

    with pytest.raises(InvalidRequest):
        client.tel_live_disconnect(id=123456)


def test_it_reads_the_peer_and_extension_examples_without_the_secret(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    envelope = {"state": "PBX OK", "code": 200, "central": "onapi"}
    answer(
        mocked,
        "pbx/sippeers/",
        {
            "body": [
                {"IPport": "5062", "Status": "OK (119 ms)", "ObjectName": "100", "IPaddress": "1.1.1.1"},
                {"IPport": "0", "Status": "UNKNOWN", "ObjectName": "101", "IPaddress": "-none-"},
            ],
            **envelope,
        },
    )
    answer(
        mocked,
        "pbx/sipextensions/",
        {"body": {"100": {"secret": "xxxxxxxxxxxxxxxxxxxxxxxxx", "type": "friend", "port": "5060"}}, **envelope},
    )

    ok, unknown = client.pbx_sip_peers()
    [extension] = client.pbx_sip_extensions()

    assert (ok.latency_ms, ok.port, unknown.latency_ms, unknown.ip_address) == (119, 5062, None, None)
    assert extension.settings == {"type": "friend", "port": "5060"}
    assert "xxxxxxxxxxxxxxxxxxxxxxxxx" not in repr(extension)


def test_it_reads_the_cdr_example_and_keeps_the_uniqueid_instant(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(
        mocked,
        "pbx/cdr/",
        {
            "body": [
                {
                    "disposition": "ANSWERED",
                    "duration": "85",
                    "calldate": "2016-11-20 11:32:36",
                    "uniqueid": "1479634356.36433",
                    "billsec": "85",
                    "recordingfile": "q-0000-05999999999-20161120-113310-1479634356.36433.wav",
                }
            ],
            "state": "PBX OK",
            "code": 200,
            "central": "onapi",
        },
    )

    [cdr] = client.pbx_cdr()

    # calldate is the PBX's wall clock (Europe/Istanbul by default), two hours after uniqueid's Unix time.
    assert cdr.calldate == datetime(2016, 11, 20, 11, 32, 36, tzinfo=ZoneInfo("Europe/Istanbul"))
    assert cdr.started_at == datetime(2016, 11, 20, 9, 32, 36, tzinfo=UTC)
    assert cdr.start == cdr.started_at  # the exact one wins
    assert (cdr.duration, cdr.billsec, cdr.has_recording) == (85, 85, True)
    assert cdr.call_day == datetime(2016, 11, 20).date()


def test_it_reads_the_active_call_example_and_its_summary_lines(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    channel = {"Channel": "SIP/100-0000112f", "Prio": "1", "State": "Up", "Duration": "00:08:57"}
    answer(
        mocked,
        "pbx/activecall/",
        {
            "body": [channel, channel, "0 active channels", "0 active calls", "26612 calls processed"],
            "state": "PBX OK",
            "code": 200,
            "central": "onapi",
        },
    )

    active = client.pbx_active_calls()

    assert len(active.channels) == 2
    assert active.channels[0].duration == timedelta(minutes=8, seconds=57)
    assert (active.active_channels, active.active_calls, active.calls_processed) == (0, 0, 26612)


def test_it_streams_a_recording_served_as_octet_stream(mocked: responses.RequestsMock, client: PasifikClient) -> None:
    mocked.add(
        responses.POST,
        API + "pbx/cdr/wav/",
        body=b"RIFF" + b"\x00" * 200_000,
        content_type="octet-stream",
        headers={"Content-Disposition": 'attachment; filename="../../out-1.wav"'},
    )

    with client.pbx_cdr_wav(wavname="out-1.wav", calldate=datetime(2016, 9, 1).date()) as download:
        chunks = list(download)

    assert json.loads(mocked.calls[0].request.body) == {"wavname": "out-1.wav", "calldate": "2016-09-01"}
    assert download.filename == "out-1.wav"  # never a path
    assert len(chunks) > 1 and sum(map(len, chunks)) == 200_004


def test_it_reads_the_fax_examples(mocked: responses.RequestsMock, client: PasifikClient) -> None:
    answer(
        mocked, "fax/upload/", {"filename": "72df3bef-ec07-4968-9959-bd6a70a2e5e1.jpg", "message": "OK", "code": 200}
    )
    answer(
        mocked,
        "fax/query/",
        {
            "count": 1,
            "delivered": 1,
            "sender": "90212XXXXXXX",
            "succeeded": True,
            "created": "28.10.2016 - 18:29",
            "fax_filename": "72df3bef-ec07-4968-9959-bd6a70a2e8c8.doc",
            "undelivered": 0,
            "waiting": 0,
            "cost": 1.0,
            "is_scheduled": False,
            "fax_id": 123456,
            "scheduled_datetime": "28.10.2016 - 17:24",
        },
    )
    answer(
        mocked,
        "fax/query/inbox/",
        [
            {
                "cli": "902169999999",
                "cld": "90212XXXXXXX",
                "is_mailed": False,
                "datetime": "05.03.2016 - 22:02",
                "fax_id": 123,
                "fax_filename": "rxfax-455f7442-9e0a-11e6-9d83-f5cc302373e2.tiff",
            }
        ],
    )

    upload = client.fax_upload(file=b"\xff\xd8\xff", filename="mydocumentfile.jpg")
    report = client.fax_query(fax_id="123456")
    [received] = client.fax_query_inbox(start_date=datetime(2016, 3, 1).date(), end_date=datetime(2016, 3, 14).date())

    assert upload.filename == "72df3bef-ec07-4968-9959-bd6a70a2e5e1.jpg"
    assert b'name="filename"; filename="mydocumentfile.jpg"' in mocked.calls[0].request.body
    assert (report.fax_id, report.cost, report.is_scheduled) == (123456, Decimal("1.0"), False)
    assert report.created == datetime(2016, 10, 28, 18, 29, tzinfo=ISTANBUL)
    assert received.received_at == datetime(2016, 3, 5, 22, 2, tzinfo=ISTANBUL)


@pytest.mark.parametrize("fault_id", [-1, "-1"])
def test_it_raises_invalid_request_for_a_fax_submit_id_of_minus_one(
    mocked: responses.RequestsMock, client: PasifikClient, fault_id: object
) -> None:
    answer(mocked, "fax/submit/", {"id": fault_id, "code": 200, "description": "OK"})

    with pytest.raises(InvalidRequest):
        client.fax_submit(sender="902120000000", to="902169999999", filename="a.doc")


# --- error bodies the document does not show ----------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"from": ["Ensure this field has no more than 11 characters."]}, InvalidRequest),
        (401, {"detail": "Invalid username/password."}, AuthenticationFailed),
        (403, {"message": "Forbidden"}, PermissionDenied),
        (404, "Not Found", NotFound),
        (410, {"code": "410", "description": "Gone"}, NotFound),
        (418, "I'm a teapot", UnexpectedResponse),
        (500, "<html><body>Internal Server Error</body></html>", ProviderUnavailable),
        (200, {"id": "", "code": "401", "description": "Unauthorized"}, AuthenticationFailed),
        (200, {"id": "", "code": "400", "description": "Sender not allowed"}, InvalidRequest),
    ],
)
def test_it_maps_every_error_form_to_the_hierarchy(
    mocked: responses.RequestsMock, client: PasifikClient, status: int, body: Any, error: type[Exception]
) -> None:
    if isinstance(body, str):
        mocked.add(responses.POST, API + "sms/submit/", body=body, status=status, content_type="text/html")
    else:
        answer(mocked, "sms/submit/", body, status=status)

    with pytest.raises(error) as caught:
        client.sms_submit(sender="DEMOFIRMA", to="905399999999", text="hello")

    if status == 400:
        assert caught.value.field_errors == {"from": ["Ensure this field has no more than 11 characters."]}
    assert len(mocked.calls) == 1


@pytest.mark.parametrize(
    ("status", "envelope", "error"),
    [
        (404, {"code": 423, "central": "noact"}, PermissionDenied),
        (200, {"code": 200, "central": "oflin"}, ProviderUnavailable),
        (500, {"code": 412, "central": "onlin"}, PermissionDenied),
        (200, {"code": "404", "central": "noreg"}, NotFound),
    ],
)
def test_it_decides_a_pbx_answer_by_code_and_central_not_by_http_status(
    mocked: responses.RequestsMock, client: PasifikClient, status: int, envelope: dict, error: type[Exception]
) -> None:
    answer(mocked, "pbx/sippeers/", {"body": [], "state": "", **envelope}, status=status)

    with pytest.raises(error):
        client.pbx_sip_peers()


def test_it_accepts_a_healthy_pbx_envelope_under_an_odd_http_status(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(mocked, "pbx/sippeers/", {"body": [], "state": "PBX OK", "code": 200, "central": "onapi"}, status=202)

    assert client.pbx_sip_peers() == []


def test_it_raises_unexpected_response_for_json_where_a_file_was_promised(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(mocked, "fax/download/", {"status": "queued"})

    with pytest.raises(UnexpectedResponse):
        client.fax_download(sender="902120000000", filename="a.doc", format="pdf")


def test_it_raises_unexpected_response_for_an_unreadable_field(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(mocked, "fax/query/", {"fax_id": "12", "count": "many"})

    with pytest.raises(UnexpectedResponse) as caught:
        client.fax_query(fax_id=12)

    assert "count" in caught.value.message


def test_a_list_record_with_an_unreadable_field_is_skipped_and_named(
    mocked: responses.RequestsMock, client: PasifikClient
) -> None:
    answer(mocked, "tel/history/", [{"i_cdr": 1, "connect_time": "yesterday at noon"}, {"i_cdr": 2}])
    skipped: list[SkippedRecord] = []

    calls = client.tel_history(i_account=1, on_skip=skipped.append)

    assert [call.i_cdr for call in calls] == [2]
    assert [(s.record_id, "connect_time" in s.reason) for s in skipped] == [("1", True)]
