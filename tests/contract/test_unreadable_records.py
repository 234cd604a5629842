"""The lists that used to fail whole on one odd record now skip it and read the others.

Answers a sandbox would not easily produce, served with ``responses``: each list holds one
record that cannot be read (an id that is not a number) between good ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import responses

from providers.errors import UnexpectedResponse
from providers.pasifik import PasifikClient
from providers.records import SkippedRecord
from providers.telphin import TelphinClient
from providers.telsam import TelsamClient
from providers.transport import MemoryTokenStore, Token
from providers.verimor import VerimorClient

BASE = "https://api.example.test"
PDF = b"%PDF-1.4 a fax"


def _token() -> MemoryTokenStore:
    return MemoryTokenStore(Token("t0ken-abc", datetime(2999, 1, 1, tzinfo=UTC)))


def _order(order_id: object) -> dict[str, object]:
    return {
        "id": order_id,
        "created_at": "2018-06-05 10:57:45",
        "local_station_id": "902129630131",
        "remote_station_id": "902123205072",
        "status": "Bekliyor",
    }


@responses.activate
@pytest.mark.parametrize("paged", [False, True], ids=["2018 bare array", "current page"])
def test_a_verimor_fax_order_that_cannot_be_read_is_skipped(paged: bool) -> None:
    orders = [_order(96), _order("ninety-seven"), _order("98")]
    pagination = {"page": 1, "total_count": 3, "total_pages": 1, "limit": 10}
    responses.get(f"{BASE}/fax_orders", json={"fax_orders": orders, "pagination": pagination} if paged else orders)
    skipped: list[SkippedRecord] = []

    page = VerimorClient(key="K-123", base_url=BASE, sleep=lambda _: None).fax_orders(on_skip=skipped.append)

    assert [order.id for order in page.orders] == [96, 98]
    assert page.orders[0].created_at == datetime(2018, 6, 5, 7, 57, 45, tzinfo=UTC)  # Istanbul wall clock
    assert [(s.provider, s.what, s.record_id) for s in skipped] == [("verimor", "fax orders", "ninety-seven")]
    assert "id" in skipped[0].reason


@responses.activate
def test_every_verimor_order_page_is_read_past_a_page_of_unreadable_orders() -> None:
    pages = {
        "1": [_order("bad-1"), _order("bad-2")],
        "2": [_order(5)],
    }
    for number, page in pages.items():
        pagination = {"page": int(number), "total_count": 3, "total_pages": 2, "limit": 10}
        responses.get(
            f"{BASE}/fax_orders",
            json={"fax_orders": page, "pagination": pagination},
            match=[responses.matchers.query_param_matcher({"key": "K-123", "page": number, "limit": "100"})],
        )
    skipped: list[SkippedRecord] = []

    orders = list(VerimorClient(key="K-123", base_url=BASE).iter_fax_orders(on_skip=skipped.append))

    assert [order.id for order in orders] == [5]
    assert [s.record_id for s in skipped] == ["bad-1", "bad-2"]


@responses.activate
def test_a_telphin_sent_fax_that_cannot_be_read_is_skipped() -> None:
    sent = [
        {"status": "sent", "dst_num": "1234567", "id": 175, "datetime": "2016-04-11 18:07:53"},
        {"status": "sent", "dst_num": "1234568", "id": "one-seven-six", "datetime": "2016-04-11 18:08:00"},
        {"status": "ready_to_send", "dst_num": "1234569", "id": "177", "datetime": "2016-04-11 18:09:00"},
    ]
    responses.get(f"{BASE}/api/ver1.0/extension/5/fax/out/", json=sent)
    skipped: list[SkippedRecord] = []
    client = TelphinClient(client_id="1", client_secret="s3cret", extension_id=5, base_url=BASE, token_store=_token())

    faxes = client.fax_out_list(on_skip=skipped.append)

    assert [(fax.id, fax.status) for fax in faxes] == [(175, "delivered"), (177, "pending")]
    assert faxes[0].datetime == datetime(2016, 4, 11, 15, 7, 53, tzinfo=UTC)  # the account's zone, Moscow
    assert [(s.what, s.record_id) for s in skipped] == [("sent faxes", "one-seven-six")]


@responses.activate
def test_a_telsam_send_answer_with_one_unreadable_fax_keeps_the_others() -> None:
    fax = {"phone": "908502590260", "subject": None, "call_type": "outgoing", "status": "pending", "again": None}
    answer = {
        "process": True,
        "faxes": [
            {**fax, "id": 278563, "did": "908502590260", "created_at": "2021-12-23 15:39:26"},
            {**fax, "id": 278564, "phone": "908502590261", "created_at": "yesterday-ish"},
        ],
    }
    responses.post(f"{BASE}/fax/send", json=answer)
    skipped: list[SkippedRecord] = []
    client = TelsamClient(client_id="1", client_secret="s3cret", base_url=BASE, token_store=_token())

    faxes = client.fax_send(
        did="908502590260", phones=["908502590260", "908502590261"], files=[PDF], on_skip=skipped.append
    )

    assert [(f.id, f.status, f.subject) for f in faxes] == [(278563, "pending", None)]
    assert [(s.what, s.record_id) for s in skipped] == [("sent faxes", "278564")]
    assert "unreadable time" in skipped[0].reason


@responses.activate
def test_a_telsam_send_answer_without_faxes_is_still_unexpected() -> None:
    responses.post(f"{BASE}/fax/send", json={"process": True})
    client = TelsamClient(client_id="1", client_secret="s3cret", base_url=BASE, token_store=_token())

    with pytest.raises(UnexpectedResponse):
        client.fax_send(did="908502590260", phones=["908502590260"], files=[PDF])


PASIFIK = "https://pasifik.example.test/en/api/"


def _pasifik() -> PasifikClient:
    return PasifikClient(username="demo", password="demo-pass", base_url="https://pasifik.example.test")


def _report(sms_id: object, cost: object = "0.024") -> dict[str, object]:
    return {
        "count": "4", "sender": "YOURCOMPANY", "succeeded": True, "created": "12.03.2016 - 19:58",
        "waiting_count": "0", "delivered_count": "3", "cost": cost, "message": "Test SMS 1",
        "undelivered_count": "1", "sms_id": sms_id,
    }  # fmt: skip


@responses.activate
def test_a_pasifik_sms_report_that_cannot_be_read_is_skipped() -> None:
    responses.post(f"{PASIFIK}sms/query/multi/", json=[_report(123456), _report("12x"), _report("123458", cost=1.0)])
    skipped: list[SkippedRecord] = []

    reports = _pasifik().sms_query_multi(
        start_date=date(2016, 3, 1), end_date=date(2016, 3, 14), on_skip=skipped.append
    )

    assert [(r.sms_id, r.cost, r.delivered_count) for r in reports] == [
        (123456, Decimal("0.024"), 3),
        (123458, Decimal("1.0"), 3),
    ]
    assert reports[0].created == datetime(2016, 3, 12, 19, 58, tzinfo=ZoneInfo("Europe/Istanbul"))
    assert [(s.provider, s.what, s.record_id) for s in skipped] == [("pasifik", "SMS reports", "12x")]
    assert "sms_id" in skipped[0].reason


@responses.activate
def test_a_pasifik_recipient_row_that_cannot_be_read_is_skipped() -> None:
    row = {
        "network": 1086, "sequence": 0, "msisdn": "5399999999", "xser": "", "lastupdated": "12.03.2016 - 19:58",
        "errorcode": "It was delivered", "state": "Delivered", "cost": 1.0, "submitted": "12.03.2016 - 19:58",
        "payload": "Test 1", "sms_id": 123456,
    }  # fmt: skip
    rows = [row, {**row, "msisdn": "5399999998", "cost": "one lira"}, {**row, "msisdn": 5399999997}]
    responses.post(f"{PASIFIK}sms/query/", json=rows)
    skipped: list[SkippedRecord] = []

    recipients = _pasifik().sms_query(sms_id=123456, on_skip=skipped.append)

    assert [(r.msisdn, r.status_text, r.is_delivered) for r in recipients] == [
        ("5399999999", "It was delivered", True),
        ("5399999997", "It was delivered", True),  # a number where the document shows text
    ]
    assert [(s.what, s.record_id) for s in skipped] == [("SMS detailed report", "5399999998")]
    assert "cost" in skipped[0].reason


@responses.activate
def test_a_single_pasifik_answer_that_cannot_be_read_is_still_unexpected_and_names_the_field() -> None:
    responses.post(f"{PASIFIK}user/getsettings/", json={"username": "demo", "balance": "lots"})

    with pytest.raises(UnexpectedResponse, match="balance"):
        _pasifik().user_settings()
