"""The Verimor emulator, spoken to directly over HTTP with plain requests."""

from __future__ import annotations

import base64

import pytest
import requests

from sandbox.core import Sandbox
from sandbox.media import pdf_bytes
from sandbox.verimor import DEMO_CREDENTIALS

KEY = DEMO_CREDENTIALS["key"]


@pytest.fixture
def base(sandbox_url: str) -> str:
    return f"{sandbox_url}/verimor"


def send_form(**overrides: str) -> dict[str, str]:
    form = {
        "local_station_header": "Acme",
        "remote_station_id": "901234567891",
        "filedata": "data:application/pdf;base64," + base64.b64encode(pdf_bytes("v")).decode(),
    }
    form.update(overrides)
    return form


def test_a_post_may_carry_the_key_in_the_body_only(base, sandbox):
    answer = requests.post(f"{base}/fax_orders", data={"key": KEY, **send_form()}, timeout=5)

    assert (answer.status_code, answer.text) == (200, "20212")


def test_a_get_needs_the_key_in_the_query_string(base, sandbox):
    answer = requests.get(f"{base}/fax_orders", timeout=5)

    assert (answer.status_code, answer.text) == (400, "Gecersiz anahtar: ")


def test_filedata_may_be_bare_base64(base, sandbox):
    bare = base64.b64encode(pdf_bytes("v")).decode()

    answer = requests.post(f"{base}/fax_orders", params={"key": KEY}, data=send_form(filedata=bare), timeout=5)

    assert answer.status_code == 200


def test_a_missing_field_is_named(base, sandbox):
    form = send_form()
    del form["remote_station_id"]

    answer = requests.post(f"{base}/fax_orders", params={"key": KEY}, data=form, timeout=5)

    assert (answer.status_code, answer.text) == (400, "Eksik parametre: remote_station_id")


def test_a_json_send_is_refused(base, sandbox):
    answer = requests.post(f"{base}/fax_orders", params={"key": KEY}, json=send_form(), timeout=5)

    assert answer.status_code == 400


def test_a_filter_time_without_utc_is_refused(base, sandbox):
    answer = requests.get(f"{base}/fdrs", params={"key": KEY, "start_stamp_from": "2026-01-01 00:00:00"}, timeout=5)

    assert answer.status_code == 400
    assert answer.text.startswith("Gecersiz tarih")


def test_the_limit_is_clamped_between_10_and_100(base, sandbox):
    small = requests.get(f"{base}/fdrs", params={"key": KEY, "limit": 3}, timeout=5).json()
    large = requests.get(f"{base}/fdrs", params={"key": KEY, "limit": 500}, timeout=5).json()

    assert (small["pagination"]["limit"], len(small["fdrs"])) == (10, 10)
    assert (large["pagination"]["limit"], len(large["fdrs"])) == (100, 24)


def test_the_rate_limit_is_off_until_enabled_and_off_again_after_reset(base, sandbox: Sandbox):
    statuses = {requests.get(f"{base}/fax_orders", params={"key": KEY}, timeout=5).status_code for _ in range(15)}
    assert statuses == {200}

    sandbox.by_name["verimor"].rate_limit = True
    sandbox.reset()

    assert sandbox.by_name["verimor"].rate_limit is False


def test_the_bucket_refills_with_sandbox_time(base, sandbox: Sandbox):
    emulator = sandbox.by_name["verimor"]
    emulator.rate_limit = True
    emulator.bucket = 0

    assert requests.get(f"{base}/fax_orders", params={"key": KEY}, timeout=5).status_code == 429
    sandbox.clock.advance(5)
    assert requests.get(f"{base}/fax_orders", params={"key": KEY}, timeout=5).status_code == 200
