"""The Pasifik Telekom emulator, spoken to directly over HTTP with plain requests."""

from __future__ import annotations

import base64
import io
import re
import wave
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from sandbox import media
from sandbox.core import Sandbox
from sandbox.pasifik import (
    DEMO_CREDENTIALS,
    DEMO_FAX_NUMBERS,
    DEMO_TELEPHONE_IDS,
    ERROR_MEANINGS,
    FAX_DELIVERY_SECONDS,
    FAX_MAX_UPLOAD_BYTES,
    SMS_DELIVERY_SECONDS,
    SMS_PART_PRICE,
    PasifikSandbox,
    sms_parts,
)
from sandbox.pasifik.common import ISTANBUL

TOKEN = base64.b64encode(f"{DEMO_CREDENTIALS['username']}:{DEMO_CREDENTIALS['password']}".encode()).decode()
HEADERS = {"Authorization": TOKEN, "Content-Type": "application/json", "Accept": "application/json"}


def api(sandbox_url: str, path: str, lang: str = "en") -> str:
    return f"{sandbox_url}/pasifik/{lang}/api/{path}"


def post(sandbox_url: str, path: str, body: Any = None, *, lang: str = "en", **kwargs: Any) -> requests.Response:
    headers = {**HEADERS, **kwargs.pop("headers", {})}
    return requests.post(api(sandbox_url, path, lang), json={} if body is None else body, headers=headers, timeout=10)


def emulator(sandbox: Sandbox) -> PasifikSandbox:
    provider = sandbox.by_name["pasifik"]
    assert isinstance(provider, PasifikSandbox)
    return provider


def today(sandbox: Sandbox) -> str:
    """Sandbox time (each test starts from the clock's initial offset; tests may advance it)."""
    return turkish_day(sandbox.clock.now())


def turkish_day(moment: datetime) -> str:
    """Report windows are whole days in Turkish time."""
    return moment.astimezone(ISTANBUL).strftime("%d.%m.%Y")


# --- authentication, headers, languages ---------------------------------------


def test_it_accepts_the_bare_base64_authorization_the_document_shows(sandbox_url: str) -> None:
    assert post(sandbox_url, "user/getsettings/").status_code == 200


def test_it_accepts_the_basic_scheme_too(sandbox_url: str) -> None:
    response = post(sandbox_url, "user/getsettings/", headers={"Authorization": f"Basic {TOKEN}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        base64.b64encode(b"demo:wrong").decode(),
        f"Basic {base64.b64encode(b'nobody:demo-pass').decode()}",
        "not base64 at all",
        "",
    ],
)
def test_it_refuses_wrong_credentials_with_the_documented_401(sandbox_url: str, authorization: str) -> None:
    response = post(sandbox_url, "sms/query/multi/id/", {"sms_id": "1"}, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json() == {"code": "401", "description": ERROR_MEANINGS[401]}


def test_it_answers_a_general_error_without_a_content_type(sandbox_url: str) -> None:
    response = requests.post(
        api(sandbox_url, "user/getsettings/"), data=b"{}", headers={"Authorization": TOKEN}, timeout=10
    )
    assert response.status_code == 400
    assert response.json() == {"code": "400", "description": "General error"}


def test_it_answers_a_general_error_for_an_unsupported_content_type(sandbox_url: str) -> None:
    response = post(sandbox_url, "user/getsettings/", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["description"] == "General error"


def test_it_answers_406_for_an_accept_it_cannot_serve(sandbox_url: str) -> None:
    response = post(sandbox_url, "user/getsettings/", headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert response.json()["code"] == "406"


def test_it_reads_a_flat_xml_body_as_the_document_allows(sandbox_url: str) -> None:
    xml = b"<request><from>DEMOFIRMA</from><to>905321112233</to><text>xml</text></request>"
    response = requests.post(
        api(sandbox_url, "sms/submit/"),
        data=xml,
        headers={**HEADERS, "Content-Type": "application/xml"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["code"] == "200"


def test_it_answers_in_xml_when_xml_is_accepted(sandbox_url: str) -> None:
    from xml.etree import ElementTree

    response = post(sandbox_url, "user/getsettings/", headers={"Accept": "application/xml"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.findtext("username") == DEMO_CREDENTIALS["username"]
    assert [item.text for item in root.find("tel_account_list")] == [str(i) for i in DEMO_TELEPHONE_IDS]


@pytest.mark.parametrize("lang", ["tr", "en", "ar"])
def test_every_language_segment_is_served(sandbox_url: str, lang: str) -> None:
    assert post(sandbox_url, "user/getsettings/", lang=lang).status_code == 200


def test_an_unknown_language_segment_is_not_found(sandbox_url: str) -> None:
    assert post(sandbox_url, "user/getsettings/", lang="de").status_code == 404


def test_response_texts_follow_the_language_of_the_url(sandbox_url: str) -> None:
    response = post(sandbox_url, "user/getsettings/", lang="tr", headers={"Content-Type": "text/plain"})
    assert response.json()["description"] == "Genel hata"


def test_every_call_is_a_post(sandbox_url: str) -> None:
    response = requests.get(api(sandbox_url, "user/getsettings/"), headers=HEADERS, timeout=10)
    assert response.status_code == 405


def test_an_injected_expired_token_answers_in_the_providers_own_form(sandbox: Sandbox, sandbox_url: str) -> None:
    sandbox.inject("expired-token", provider="pasifik")
    response = post(sandbox_url, "user/getsettings/")
    assert response.status_code == 401
    assert response.json()["code"] == "401"


# --- SMS ----------------------------------------------------------------------


def submit_sms(sandbox_url: str, **overrides: Any) -> requests.Response:
    body = {"from": "DEMOFIRMA", "to": "905321234560,905321234569", "text": "Merhaba"}
    body.update(overrides)
    return post(sandbox_url, "sms/submit/", {k: v for k, v in body.items() if v is not None})


def test_submit_answers_the_documented_shape(sandbox_url: str) -> None:
    response = submit_sms(sandbox_url)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "code", "description"}
    assert body["id"].isdigit() and body["code"] == "200" and body["description"] == "OK"


@pytest.mark.parametrize("sender", ["AB", "TWELVECHARSS"])
def test_it_rejects_a_sender_outside_3_to_11_chars(sandbox_url: str, sender: str) -> None:
    response = submit_sms(sandbox_url, **{"from": sender})
    assert response.status_code == 400
    assert "from" in response.json()["errors"]


@pytest.mark.parametrize("sender", ["ABC", "ELEVENCHARS"])
def test_it_accepts_a_sender_of_3_and_of_11_chars(sandbox_url: str, sender: str) -> None:
    assert submit_sms(sandbox_url, **{"from": sender}).status_code == 200


@pytest.mark.parametrize("field", ["from", "to", "text"])
def test_it_rejects_a_submit_without_a_required_field(sandbox_url: str, field: str) -> None:
    body = {"from": "DEMOFIRMA", "to": "905321234560", "text": "x"}
    del body[field]
    response = post(sandbox_url, "sms/submit/", body)
    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["This field is required."]}


def test_it_rejects_a_number_that_is_not_a_phone_number(sandbox_url: str) -> None:
    response = submit_sms(sandbox_url, to="905321234560,call-me")
    assert response.status_code == 400
    assert "to" in response.json()["errors"]


@pytest.mark.parametrize("value", ["2016-07-23 21:54:02", "23.07.2016", "2016-07-23T21:54:02+03:00"])
def test_it_rejects_a_scheduled_time_not_in_the_documented_format(sandbox_url: str, value: str) -> None:
    response = submit_sms(sandbox_url, scheduled_delivery_time=value)
    assert response.status_code == 400
    assert "scheduled_delivery_time" in response.json()["errors"]


def test_it_rejects_an_unknown_alphabet(sandbox_url: str) -> None:
    assert submit_sms(sandbox_url, alphabet="Klingon").status_code == 400


def report(sandbox_url: str, sms_id: str) -> dict[str, dict[str, Any]]:
    rows = post(sandbox_url, "sms/query/", {"sms_id": sms_id}).json()
    return {row["msisdn"]: row for row in rows}


def test_messages_wait_then_settle_by_their_last_digit(sandbox: Sandbox, sandbox_url: str) -> None:
    sms_id = submit_sms(sandbox_url, to="905321234560,905321234569").json()["id"]
    assert {row["state"] for row in report(sandbox_url, sms_id).values()} == {"Waiting"}

    sandbox.clock.advance(SMS_DELIVERY_SECONDS + 1)

    rows = report(sandbox_url, sms_id)
    assert rows["5321234560"]["state"] == "Delivered"
    assert rows["5321234560"]["errorcode"] == "It was delivered"
    assert rows["5321234569"]["state"] == "Undelivered"
    assert rows["5321234569"]["errorcode"] == "Unknown subscriber"


def test_the_detailed_report_has_the_documented_fields(sandbox_url: str) -> None:
    sms_id = submit_sms(sandbox_url, to="905321234560").json()["id"]
    (row,) = post(sandbox_url, "sms/query/", {"sms_id": sms_id}).json()
    assert set(row) == {
        "network",
        "sequence",
        "msisdn",
        "xser",
        "lastupdated",
        "errorcode",
        "state",
        "cost",
        "submitted",
        "payload",
        "sms_id",
    }
    assert row["sms_id"] == int(sms_id) and row["payload"] == "Merhaba" and row["cost"] == 1.0
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} - \d\d:\d\d", row["submitted"])


def test_errorcode_texts_follow_the_language(sandbox: Sandbox, sandbox_url: str) -> None:
    sms_id = submit_sms(sandbox_url, to="905321234560").json()["id"]
    sandbox.clock.advance(SMS_DELIVERY_SECONDS + 1)
    (row,) = post(sandbox_url, "sms/query/", {"sms_id": sms_id}, lang="tr").json()
    assert row["state"] == "Delivered" and row["errorcode"] == "İletildi"


def test_a_scheduled_message_is_not_delivered_before_its_time(sandbox: Sandbox, sandbox_url: str) -> None:
    at = (sandbox.clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sms_id = submit_sms(sandbox_url, to="905321234560", scheduled_delivery_time=at).json()["id"]

    sandbox.clock.advance(2 * 3600 - 60)
    assert report(sandbox_url, sms_id)["5321234560"]["state"] == "Waiting"

    sandbox.clock.advance(60 + SMS_DELIVERY_SECONDS + 1)
    assert report(sandbox_url, sms_id)["5321234560"]["state"] == "Delivered"


def test_a_validity_period_longer_than_a_day_is_clamped_to_1440_minutes(sandbox: Sandbox, sandbox_url: str) -> None:
    # A number ending in 8 never reaches the handset: it expires when the period ends.
    sms_id = submit_sms(sandbox_url, to="905321234568", period=5000).json()["id"]

    sandbox.clock.advance(1439 * 60)
    assert report(sandbox_url, sms_id)["5321234568"]["state"] == "Waiting"

    sandbox.clock.advance(120)
    assert report(sandbox_url, sms_id)["5321234568"]["state"] == "Expired"


def test_submit_multi_and_every_report_agree(sandbox: Sandbox, sandbox_url: str) -> None:
    envelopes = [
        {"to": "905321111110", "text": "one"},
        {"to": "905321111111", "text": "two"},
        {"to": "905321111119", "text": "three"},
    ]
    response = post(sandbox_url, "sms/submit/multi/", {"from": "DEMOFIRMA", "envelopes": envelopes})
    sms_id = response.json()["id"]
    sandbox.clock.advance(SMS_DELIVERY_SECONDS + 1)

    summary = post(sandbox_url, "sms/query/multi/id/", {"sms_id": sms_id}).json()
    assert summary["sms_id"] == int(sms_id)
    assert (summary["count"], summary["delivered_count"], summary["undelivered_count"], summary["waiting_count"]) == (
        "3",
        "2",
        "1",
        "0",
    )
    assert summary["sender"] == "DEMOFIRMA" and summary["succeeded"] is True
    assert summary["cost"] == f"{SMS_PART_PRICE * 3:.3f}"

    day = turkish_day(sandbox.clock.now())
    listed = post(sandbox_url, "sms/query/multi/", {"start_date": day, "end_date": day}).json()
    assert summary in listed

    rows = report(sandbox_url, sms_id)
    assert {row["payload"] for row in rows.values()} == {"one", "two", "three"}


def test_submit_multi_takes_one_destination_per_envelope(sandbox_url: str) -> None:
    envelopes = [{"to": "905321111110,905321111111", "text": "one"}]
    response = post(sandbox_url, "sms/submit/multi/", {"from": "DEMOFIRMA", "envelopes": envelopes})
    assert response.status_code == 400


def test_submit_multi_needs_envelopes(sandbox_url: str) -> None:
    response = post(sandbox_url, "sms/submit/multi/", {"from": "DEMOFIRMA", "envelopes": []})
    assert response.status_code == 400
    assert "envelopes" in response.json()["errors"]


def test_demo_campaigns_fill_the_general_report(sandbox: Sandbox, sandbox_url: str) -> None:
    start = turkish_day(sandbox.clock.now() - timedelta(days=8))
    rows = post(sandbox_url, "sms/query/multi/", {"start_date": start, "end_date": today(sandbox)}).json()
    assert len(rows) >= 6
    assert all(isinstance(row["sms_id"], int) and isinstance(row["count"], str) for row in rows)


@pytest.mark.parametrize(
    "body",
    [
        {"start_date": "2016-03-01", "end_date": "14.03.2016"},
        {"start_date": "01.03.2016"},
        {"start_date": "14.03.2016", "end_date": "01.03.2016"},
    ],
)
def test_query_multi_validates_its_turkish_dates(sandbox_url: str, body: dict[str, str]) -> None:
    assert post(sandbox_url, "sms/query/multi/", body).status_code == 400


def test_an_unknown_sms_id_is_not_found(sandbox_url: str) -> None:
    response = post(sandbox_url, "sms/query/multi/id/", {"sms_id": "999999999"})
    assert response.status_code == 404
    assert response.json()["code"] == "404"


def test_the_balance_drops_with_each_sms_part(sandbox_url: str) -> None:
    before = post(sandbox_url, "user/getsettings/").json()
    long_text = "x" * 200  # two parts
    submit_sms(sandbox_url, to="905321234560,905321234561", text=long_text)
    after = post(sandbox_url, "user/getsettings/").json()
    assert round(before["balance"] - after["balance"], 3) == float(SMS_PART_PRICE * 4)
    assert after["count_all"] == before["count_all"] + 2
    assert after["waiting_all"] == before["waiting_all"] + 2


def test_user_settings_have_the_documented_fields(sandbox_url: str) -> None:
    settings = post(sandbox_url, "user/getsettings/").json()
    assert settings["username"] == DEMO_CREDENTIALS["username"]
    assert settings["tel_account_list"] == list(DEMO_TELEPHONE_IDS)
    assert settings["currency"] == "TRY"
    assert isinstance(settings["balance"], float)
    assert {"tel_balance_pkt", "sms_balance_pkt", "undelivered_all", "delivered_all", "fullname"} <= set(settings)


@pytest.mark.parametrize(
    ("text", "alphabet", "parts"),
    [
        ("x" * 160, "Default", 1),
        ("x" * 161, "Default", 2),
        ("ş" * 155, "TurkishSingleShift", 1),
        ("ş" * 156, "TurkishSingleShift", 2),
        ("ş" * 70, "Default", 1),
        ("ş" * 71, "Default", 2),
        ("メ" * 70, "UCS2", 1),
    ],
)
def test_sms_parts_follow_the_alphabet(text: str, alphabet: str, parts: int) -> None:
    assert sms_parts(text, alphabet) == parts


# --- telephone ----------------------------------------------------------------


def history(sandbox_url: str, **body: Any) -> list[dict[str, Any]]:
    response = post(sandbox_url, "tel/history/", {"i_account": DEMO_TELEPHONE_IDS[0], **body})
    assert response.status_code == 200, response.text
    return response.json()


def settled_history(sandbox: Sandbox, sandbox_url: str, **body: Any) -> list[dict[str, Any]]:
    """History up to ten minutes ago: calls still going on cannot end between two requests."""
    end = (sandbox.clock.now() - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = post(sandbox_url, "tel/history/", {"i_account": DEMO_TELEPHONE_IDS[0], "end_date": end, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_history_holds_hundreds_of_calls_for_the_demo_accounts(sandbox_url: str) -> None:
    total = sum(len(history(sandbox_url, i_account=account, type="all")) for account in DEMO_TELEPHONE_IDS)
    assert total >= 300


def test_history_records_have_the_example_fields(sandbox_url: str) -> None:
    record = history(sandbox_url, limit=1)[0]
    for field in ("i_account", "connect_time", "disconnect_time", "billed_duration", "cli", "cld", "cost", "i_cdr"):
        assert field in record
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.000 GMT \w{3} \w{3} \d\d \d{4}", record["connect_time"])


def test_history_pages_with_offset_and_limit(sandbox: Sandbox, sandbox_url: str) -> None:
    everything = settled_history(sandbox, sandbox_url, type="all")
    page = settled_history(sandbox, sandbox_url, type="all", offset=10, limit=5)
    assert page == everything[10:15]


@pytest.mark.parametrize(
    ("cdr_type", "keeps"),
    [
        ("non_zero", lambda r: r["duration"] > 0),
        ("errors", lambda r: r["result"] != 0),
        ("complete", lambda r: r["duration"] > 0 and r["result"] == 0),
        ("incomplete", lambda r: r["duration"] == 0 and r["result"] == 0),
        ("non_zero_and_errors", lambda r: r["duration"] > 0 or r["result"] != 0),
    ],
)
def test_history_filters_by_type(sandbox: Sandbox, sandbox_url: str, cdr_type: str, keeps: Any) -> None:
    everything = settled_history(sandbox, sandbox_url, type="all")
    assert settled_history(sandbox, sandbox_url, type=cdr_type) == [r for r in everything if keeps(r)]


def test_history_filters_by_date_window_and_number_pattern(sandbox: Sandbox, sandbox_url: str) -> None:
    end = sandbox.clock.now()
    start = end - timedelta(days=3)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    recent = history(sandbox_url, type="all", start_date=start.strftime(fmt), end_date=end.strftime(fmt))
    assert 0 < len(recent) < len(history(sandbox_url, type="all"))
    mobiles = history(sandbox_url, type="all", cld="%0532%")
    assert mobiles and all(r["cld_in"].startswith("0532") for r in mobiles)


def test_history_rejects_a_date_in_another_format(sandbox_url: str) -> None:
    response = post(sandbox_url, "tel/history/", {"i_account": DEMO_TELEPHONE_IDS[0], "start_date": "01.09.2016"})
    assert response.status_code == 400
    assert "start_date" in response.json()["errors"]


def test_history_rejects_an_unknown_type(sandbox_url: str) -> None:
    response = post(sandbox_url, "tel/history/", {"i_account": DEMO_TELEPHONE_IDS[0], "type": "some"})
    assert response.status_code == 400


def test_history_of_an_account_that_is_not_ours_is_empty_like_its_live_calls(sandbox_url: str) -> None:
    history = post(sandbox_url, "tel/history/", {"i_account": 1})
    live = post(sandbox_url, "tel/live/", {"i_account_list": [1]})
    assert (history.status_code, history.json()) == (200, [])
    assert (live.status_code, live.json()) == (200, [])


def live_calls(sandbox_url: str) -> list[dict[str, Any]]:
    return post(sandbox_url, "tel/live/", {"i_account_list": list(DEMO_TELEPHONE_IDS)}).json()


def wait_for_live_calls(sandbox: Sandbox, sandbox_url: str) -> list[dict[str, Any]]:
    for _ in range(60):
        calls = live_calls(sandbox_url)
        if calls:
            return calls
        sandbox.clock.advance(30)
    raise AssertionError("no live call in 30 minutes of sandbox time")


def test_live_calls_come_and_go_with_the_clock(sandbox: Sandbox, sandbox_url: str) -> None:
    calls = wait_for_live_calls(sandbox, sandbox_url)
    for call in calls:
        assert call["cc_state"] in ("ARInProgress", "ARComplete", "Connected")
        assert isinstance(call["id"], str) and call["i_account"] in DEMO_TELEPHONE_IDS
    sandbox.clock.advance(900)
    assert not {c["id"] for c in calls} & {c["id"] for c in live_calls(sandbox_url)}


def test_live_calls_leave_out_accounts_that_are_not_ours(sandbox_url: str) -> None:
    assert post(sandbox_url, "tel/live/", {"i_account_list": [1, 2]}).json() == []


def test_disconnecting_a_live_call_ends_it(sandbox: Sandbox, sandbox_url: str) -> None:
    call = wait_for_live_calls(sandbox, sandbox_url)[0]
    response = post(sandbox_url, "tel/live/disconnect/", {"id": int(call["id"])})
    assert response.status_code == 200
    assert response.json() == {"result": "OK"}
    assert call["id"] not in {c["id"] for c in live_calls(sandbox_url)}

    again = post(sandbox_url, "tel/live/disconnect/", {"id": int(call["id"])})
    assert again.status_code == 404
    assert again.json()["result"] == "ERROR"


def test_live_calls_that_ended_join_the_history(sandbox: Sandbox, sandbox_url: str) -> None:
    call = wait_for_live_calls(sandbox, sandbox_url)[0]
    account = call["i_account"]
    assert int(call["id"]) not in {r["i_cdr"] for r in history(sandbox_url, i_account=account, type="all")}
    assert post(sandbox_url, "tel/live/disconnect/", {"id": int(call["id"])}).json() == {"result": "OK"}

    cut = {r["i_cdr"]: r for r in history(sandbox_url, i_account=account, type="all")}[int(call["id"])]
    assert cut["cld_in"] == call["cld"] and cut["i_account"] == account

    sandbox.clock.advance(3600)
    newer = history(sandbox_url, i_account=account, type="all", limit=5)
    assert newer[0]["i_cdr"] > int(call["id"])


def test_disconnecting_a_call_that_ended_is_an_error(sandbox: Sandbox, sandbox_url: str) -> None:
    call = wait_for_live_calls(sandbox, sandbox_url)[0]
    sandbox.clock.advance(900)
    assert post(sandbox_url, "tel/live/disconnect/", {"id": int(call["id"])}).status_code == 404


# --- PBX ----------------------------------------------------------------------


def pbx(sandbox_url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = post(sandbox_url, f"pbx/{path}", body or {})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("path", ["sippeers/", "sipextensions/", "cdr/", "activecall/"])
def test_pbx_answers_are_wrapped_with_state_code_and_central(sandbox_url: str, path: str) -> None:
    answer = pbx(sandbox_url, path)
    assert set(answer) == {"body", "state", "code", "central"}
    assert (answer["state"], answer["code"], answer["central"]) == ("PBX OK", 200, "onapi")


def test_an_offline_pbx_says_so_in_the_body(sandbox: Sandbox, sandbox_url: str) -> None:
    emulator(sandbox).pbx_central = "oflin"
    answer = pbx(sandbox_url, "sippeers/")
    assert answer == {"body": [], "state": "PBX Offline", "code": 410, "central": "oflin"}


def test_sip_peers_show_ok_unknown_and_unreachable(sandbox_url: str) -> None:
    statuses = [peer["Status"] for peer in pbx(sandbox_url, "sippeers/")["body"]]
    assert any(re.fullmatch(r"OK \(\d+ ms\)", s) for s in statuses)
    assert "UNKNOWN" in statuses and "UNREACHABLE" in statuses


def test_sip_extensions_are_keyed_by_name_and_carry_a_secret(sandbox_url: str) -> None:
    extensions = pbx(sandbox_url, "sipextensions/")["body"]
    assert "100" in extensions
    assert all(len(settings["secret"]) >= 16 for settings in extensions.values())


def test_pbx_cdr_holds_hundreds_of_records(sandbox_url: str) -> None:
    assert len(pbx(sandbox_url, "cdr/")["body"]) >= 300


def test_pbx_cdr_filters_by_status_recordings_and_field_pattern(sandbox_url: str) -> None:
    answered = pbx(sandbox_url, "cdr/", {"status": "ANSWERED"})["body"]
    assert answered and {r["disposition"] for r in answered} == {"ANSWERED"}
    recorded = pbx(sandbox_url, "cdr/", {"recordings": "only"})["body"]
    assert recorded and all(r["recordingfile"] for r in recorded)
    unrecorded = pbx(sandbox_url, "cdr/", {"recordings": "without"})["body"]
    assert unrecorded and not any(r["recordingfile"] for r in unrecorded)
    to_101 = pbx(sandbox_url, "cdr/", {"field_name": "dst", "field_pattern": "101"})["body"]
    assert to_101 and {r["dst"] for r in to_101} == {"101"}
    mobiles = pbx(sandbox_url, "cdr/", {"field_name": "src", "field_pattern": "0532%"})["body"]
    assert mobiles and all(r["src"].startswith("0532") for r in mobiles)


def test_pbx_cdr_filters_by_its_own_date_format(sandbox: Sandbox, sandbox_url: str) -> None:
    end = sandbox.clock.now().astimezone(UTC)
    start = end - timedelta(days=2)
    rows = pbx(
        sandbox_url,
        "cdr/",
        {"start_date": start.strftime("%Y-%m-%d %H:%M:%S"), "end_date": end.strftime("%Y-%m-%d %H:%M:%S")},
    )["body"]
    assert rows and all(start.strftime("%Y-%m-%d %H:%M:%S") <= r["calldate"] for r in rows)


@pytest.mark.parametrize(
    "body",
    [{"status": "LOST"}, {"recordings": "some"}, {"field_name": "did"}, {"start_date": "2016-09-01T10:12:45Z"}],
)
def test_pbx_cdr_rejects_what_the_document_does_not_accept(sandbox_url: str, body: dict[str, str]) -> None:
    assert post(sandbox_url, "pbx/cdr/", body).status_code == 400


def a_recording(sandbox_url: str) -> dict[str, Any]:
    return pbx(sandbox_url, "cdr/", {"recordings": "only"})["body"][0]


def download_wav(sandbox_url: str, wavname: str, calldate: str) -> requests.Response:
    return post(sandbox_url, "pbx/cdr/wav/", {"wavname": wavname, "calldate": calldate})


def test_a_recording_downloads_as_a_playable_wav(sandbox_url: str) -> None:
    cdr = a_recording(sandbox_url)
    response = download_wav(sandbox_url, cdr["recordingfile"], cdr["calldate"][:10])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{cdr["recordingfile"]}"'
    with wave.open(io.BytesIO(response.content)) as played:
        assert (played.getnchannels(), played.getsampwidth(), played.getframerate()) == (1, 2, 8000)
        assert played.getnframes() >= 8000


def test_a_recording_matches_by_a_part_of_its_name_like_grep(sandbox_url: str) -> None:
    cdr = a_recording(sandbox_url)
    response = download_wav(sandbox_url, cdr["uniqueid"], cdr["calldate"][:10])
    assert response.status_code == 200
    assert cdr["recordingfile"] in response.headers["Content-Disposition"]


def test_a_recording_asked_for_on_another_day_is_not_found(sandbox_url: str) -> None:
    cdr = a_recording(sandbox_url)
    response = download_wav(sandbox_url, cdr["recordingfile"], "2001-01-01")
    assert response.status_code == 404


def test_a_recording_needs_both_parameters(sandbox_url: str) -> None:
    assert post(sandbox_url, "pbx/cdr/wav/", {"wavname": "x.wav"}).status_code == 400


def test_active_calls_end_with_the_three_summary_lines(sandbox_url: str) -> None:
    body = pbx(sandbox_url, "activecall/")["body"]
    channels, summary = body[:-3], body[-3:]
    assert all(isinstance(c, dict) and "Channel" in c for c in channels)
    assert re.fullmatch(r"\d+ active channels", summary[0])
    assert re.fullmatch(r"\d+ active calls", summary[1])
    assert re.fullmatch(r"\d+ calls processed", summary[2])
    assert int(summary[0].split()[0]) == len(channels)


# --- fax ----------------------------------------------------------------------


def upload(sandbox_url: str, name: str, content: bytes, content_type: str = "application/pdf") -> requests.Response:
    return requests.post(
        api(sandbox_url, "fax/upload/"),
        files={"filename": (name, content, content_type)},
        headers={"Authorization": TOKEN, "Accept": "application/json"},
        timeout=10,
    )


PDF = media.pdf_bytes("Teklif", (("Sayfa bir",), ("Sayfa iki",)))


def test_an_upload_answers_the_documented_shape(sandbox_url: str) -> None:
    response = upload(sandbox_url, "teklif.pdf", PDF)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 200 and body["message"] == "OK"
    assert re.fullmatch(r"[0-9a-f-]{36}\.pdf", body["filename"])


def test_an_upload_must_be_multipart(sandbox_url: str) -> None:
    response = post(sandbox_url, "fax/upload/", {"filename": "teklif.pdf"})
    assert response.status_code == 400
    assert response.json()["description"] == "General error"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ..."),
        ("empty.pdf", b""),
        ("fake.pdf", b"not a pdf"),
        ("huge.pdf", b"%PDF" + b"0" * FAX_MAX_UPLOAD_BYTES),
    ],
)
def test_an_upload_of_an_unacceptable_file_is_refused(sandbox_url: str, name: str, content: bytes) -> None:
    response = upload(sandbox_url, name, content)
    assert response.status_code == 400
    assert "filename" in response.json()["errors"]


def submit_fax(sandbox_url: str, filename: str, to: str = "902161234560,902161234569") -> requests.Response:
    return post(sandbox_url, "fax/submit/", {"from": DEMO_FAX_NUMBERS[0], "to": to, "filename": filename})


def test_a_fax_goes_from_waiting_to_delivered_or_undelivered(sandbox: Sandbox, sandbox_url: str) -> None:
    filename = upload(sandbox_url, "teklif.pdf", PDF).json()["filename"]
    submitted = submit_fax(sandbox_url, filename).json()
    assert submitted["code"] == 200 and int(submitted["id"]) > 0

    waiting = post(sandbox_url, "fax/query/", {"fax_id": submitted["id"]}).json()
    assert (waiting["count"], waiting["waiting"], waiting["delivered"]) == (2, 2, 0)
    assert waiting["fax_filename"] == filename and waiting["fax_id"] == int(submitted["id"])

    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 1)

    settled = post(sandbox_url, "fax/query/", {"fax_id": int(submitted["id"])}).json()
    assert (settled["waiting"], settled["delivered"], settled["undelivered"]) == (0, 1, 1)


def test_submitting_a_file_that_was_never_uploaded_answers_200_with_id_minus_one(sandbox_url: str) -> None:
    response = submit_fax(sandbox_url, "72df3bef-ec07-4968-9959-bd6a70a2e8c8.doc")
    assert response.status_code == 200
    assert response.json()["id"] == "-1"


def test_submitting_from_a_number_that_is_not_ours_answers_id_minus_one(sandbox_url: str) -> None:
    filename = upload(sandbox_url, "teklif.pdf", PDF).json()["filename"]
    response = post(sandbox_url, "fax/submit/", {"from": "902120000000", "to": "902161234560", "filename": filename})
    assert response.status_code == 200 and response.json()["id"] == "-1"


def test_the_fax_report_lists_sent_faxes_of_the_window(sandbox: Sandbox, sandbox_url: str) -> None:
    filename = upload(sandbox_url, "teklif.pdf", PDF).json()["filename"]
    fax_id = int(submit_fax(sandbox_url, filename).json()["id"])
    start = turkish_day(sandbox.clock.now() - timedelta(days=7))
    rows = post(sandbox_url, "fax/query/report/", {"start_date": start, "end_date": today(sandbox)}).json()
    assert fax_id in {row["fax_id"] for row in rows}
    assert len(rows) >= 5  # the demo faxes of the last days too


def test_the_inbox_has_received_faxes_and_new_ones_arrive_over_time(sandbox: Sandbox, sandbox_url: str) -> None:
    start = turkish_day(sandbox.clock.now() - timedelta(days=30))
    window = {"start_date": start, "end_date": turkish_day(sandbox.clock.now() + timedelta(days=3))}
    before = post(sandbox_url, "fax/query/inbox/", window).json()
    assert len(before) >= 20
    assert set(before[0]) == {"cli", "cld", "is_mailed", "datetime", "fax_id", "fax_filename"}

    sandbox.clock.advance(2 * 86400)

    after = post(sandbox_url, "fax/query/inbox/", window).json()
    assert len(after) > len(before)


def test_a_received_fax_downloads_as_a_group4_tiff(sandbox: Sandbox, sandbox_url: str) -> None:
    from PIL import Image

    start = turkish_day(sandbox.clock.now() - timedelta(days=10))
    received = post(sandbox_url, "fax/query/inbox/", {"start_date": start, "end_date": today(sandbox)}).json()[0]
    body = {"from": received["cld"], "filename": received["fax_filename"], "format": "tiff", "directory": "rxfax"}
    response = post(sandbox_url, "fax/download/", {**body, "is_enhanced": True})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/tiff"
    image = Image.open(io.BytesIO(response.content))
    assert image.width == 1728 and image.mode == "1"
    assert image.info["compression"] == "group4"
    assert tuple(round(d) for d in image.info["dpi"]) == (204, 196)


def test_a_received_fax_downloads_as_pdf_too(sandbox: Sandbox, sandbox_url: str) -> None:
    start = turkish_day(sandbox.clock.now() - timedelta(days=10))
    received = post(sandbox_url, "fax/query/inbox/", {"start_date": start, "end_date": today(sandbox)}).json()[0]
    body = {"from": received["cld"], "filename": received["fax_filename"], "format": "pdf", "directory": "rxfax"}
    response = post(sandbox_url, "fax/download/", body)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert_valid_pdf(response.content)


def test_a_sent_pdf_downloads_as_it_was_uploaded(sandbox_url: str) -> None:
    filename = upload(sandbox_url, "teklif.pdf", PDF).json()["filename"]
    body = {"from": DEMO_FAX_NUMBERS[0], "filename": filename, "format": "pdf"}  # directory defaults to txfax
    response = post(sandbox_url, "fax/download/", body)
    assert response.status_code == 200
    assert response.content == PDF


def test_a_download_of_an_unknown_file_is_not_found(sandbox_url: str) -> None:
    body = {"from": DEMO_FAX_NUMBERS[0], "filename": "nothing.jpg", "format": "tiff", "directory": "txfax"}
    assert post(sandbox_url, "fax/download/", body).status_code == 404


def test_a_download_in_an_undocumented_format_is_refused(sandbox_url: str) -> None:
    body = {"from": DEMO_FAX_NUMBERS[0], "filename": "x.jpg", "format": "docx"}
    assert post(sandbox_url, "fax/download/", body).status_code == 400


# --- media ----------------------------------------------------------------------


def assert_valid_pdf(content: bytes) -> None:
    assert content.startswith(b"%PDF-")
    startxref = int(content.rsplit(b"startxref", 1)[1].split()[0])
    assert content[startxref:].startswith(b"xref")
    lines = content[startxref:].split(b"\n")
    count = int(lines[1].split()[1])
    for number in range(1, count):
        offset = int(lines[2 + number].split()[0])
        assert content[offset:].startswith(b"%d 0 obj" % number)


def test_pdf_cross_reference_offsets_point_at_their_objects() -> None:
    assert_valid_pdf(media.pdf_bytes("Title", (("line (1)",), ("şğı line",), ("three",))))


def test_recordings_differ_from_one_another() -> None:
    assert media.wav_bytes("a.wav", 5) != media.wav_bytes("b.wav", 5)
    assert media.wav_bytes("a.wav", 5) == media.wav_bytes("a.wav", 5)
