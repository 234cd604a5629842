"""Every paging loop of every client stops when the provider does not page (issue 10, "paging never ends").

The emulators' ``paging_fault`` (sandbox/paging.py) makes a provider
ignore ``offset``/``page`` or serve the same page again; the shared guard
(providers/paging.py) must stop, keep no duplicate, and say so in a
warning that carries no secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from itertools import islice

import pytest

from providers.paging import paginate
from providers.pasifik import PasifikClient
from providers.telsam import TelsamClient
from providers.verimor import VerimorClient
from sandbox import pasifik as pasifik_sandbox
from sandbox import telsam as telsam_sandbox
from sandbox import verimor as verimor_sandbox
from sandbox.core import Sandbox
from sandbox.media import pdf_bytes

ACCOUNT = pasifik_sandbox.DEMO_TELEPHONE_IDS[0]
SECRETS = (
    pasifik_sandbox.DEMO_CREDENTIALS["password"],
    telsam_sandbox.DEMO_CREDENTIALS["client_secret"],
    telsam_sandbox.DEMO_CREDENTIALS["password"],
    verimor_sandbox.DEMO_CREDENTIALS["key"],
)


@pytest.fixture
def pasifik(sandbox_url: str) -> Iterator[PasifikClient]:
    with PasifikClient(
        **pasifik_sandbox.DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=lambda _: None
    ) as c:
        yield c


@pytest.fixture
def verimor(sandbox_url: str) -> VerimorClient:
    return VerimorClient(**verimor_sandbox.DEMO_CREDENTIALS, base_url=f"{sandbox_url}/verimor", sleep=lambda _: None)


@pytest.fixture
def telsam(sandbox_url: str) -> TelsamClient:
    return TelsamClient(
        **telsam_sandbox.DEMO_CREDENTIALS,
        base_url=f"{sandbox_url}/telsam",
        redirect_uri=telsam_sandbox.DEMO_REDIRECT_URI,
        sleep=lambda _: None,
    )


def bounded(items: Iterable) -> list:
    """At most 500 items: a loop without a guard fails the test instead of hanging it."""
    return list(islice(items, 500))


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = [r.getMessage() for r in caplog.records if r.name == "providers.paging"]
    for text in texts:
        assert not any(secret in text for secret in SECRETS)
    return [t for t in texts if t]


def history_window(sandbox: Sandbox) -> dict:
    # Up to ten minutes ago, so no live call ends (and shifts the pages) while the test pages.
    end = sandbox.clock.now() - timedelta(minutes=10)
    return {"start_date": end - timedelta(days=31), "end_date": end, "type": "all"}


# --- Pasifik tel/history (offset, limit) ---------------------------------------------------------


def test_pasifik_history_stops_when_the_provider_ignores_offset(pasifik, sandbox, caplog) -> None:
    sandbox.by_name["pasifik"].paging_fault = "ignore-paging"

    calls = bounded(pasifik.iter_tel_history(i_account=ACCOUNT, page_size=1, **history_window(sandbox)))

    assert len(calls) == 1
    assert len(sandbox.requests_for("pasifik", "tel/history")) == 2
    assert warnings(caplog) == [
        "pasifik: stopped paging telephone history after 2 page(s): page 2 (cursor 1) repeats the previous page"
    ]


def test_pasifik_history_stops_when_a_page_comes_back_again(pasifik, sandbox, caplog) -> None:
    sandbox.by_name["pasifik"].paging_fault = "repeat-page"

    calls = bounded(pasifik.iter_tel_history(i_account=ACCOUNT, page_size=20, **history_window(sandbox)))

    assert len(calls) == 40 and len({c.i_cdr for c in calls}) == 40
    assert [r.json()["offset"] for r in sandbox.requests_for("pasifik", "tel/history")] == [0, 20, 40]
    assert "repeats the previous page" in warnings(caplog)[0]


def test_pasifik_history_stops_at_the_ceiling_of_pages(pasifik, sandbox, caplog) -> None:
    calls = list(pasifik.iter_tel_history(i_account=ACCOUNT, page_size=10, max_pages=3, **history_window(sandbox)))

    assert len(calls) == 30
    assert len(sandbox.requests_for("pasifik", "tel/history")) == 3
    assert warnings(caplog) == [
        "pasifik: stopped paging telephone history after 3 page(s): reached the ceiling of 3 pages"
    ]


def test_pasifik_history_that_pages_well_reads_everything_without_a_warning(pasifik, sandbox, caplog) -> None:
    calls = list(pasifik.iter_tel_history(i_account=ACCOUNT, page_size=50, **history_window(sandbox)))

    assert len(calls) >= 150 and len({c.i_cdr for c in calls}) == len(calls)
    assert warnings(caplog) == []


# --- Verimor /fdrs and /fax_orders (page, limit) -------------------------------------------------


@pytest.mark.parametrize(("fault", "kept"), [("ignore-paging", 10), ("repeat-page", 20)])
def test_verimor_records_stop_when_pages_repeat(verimor, sandbox, caplog, fault: str, kept: int) -> None:
    sandbox.by_name["verimor"].paging_fault = fault

    records = bounded(verimor.iter_fdrs(limit=10))

    assert len(records) == kept and len({r.call_uuid for r in records}) == kept
    assert "stopped paging fax records" in warnings(caplog)[0]


def test_verimor_orders_stop_when_the_provider_ignores_page(verimor, sandbox, caplog) -> None:
    for _ in range(11):
        verimor.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=pdf_bytes("x"))
    sandbox.by_name["verimor"].paging_fault = "ignore-paging"

    orders = bounded(verimor.iter_fax_orders(limit=10))

    assert len(orders) == 10
    assert [r.query["page"] for r in sandbox.requests_for("verimor", "/fax_orders") if r.method == "GET"] == [
        ["1"],
        ["2"],
    ]
    assert "stopped paging fax orders" in warnings(caplog)[0]


def test_verimor_orders_read_every_page_when_paging_works(verimor, sandbox, caplog) -> None:
    for _ in range(11):
        verimor.fax_send(local_station_header="Acme", remote_station_id="901234567891", content=pdf_bytes("x"))

    orders = list(verimor.iter_fax_orders(limit=10))

    assert len({o.id for o in orders}) == 11
    assert warnings(caplog) == []


# --- Telsam POST /fax?page=N (a Laravel paginator) ------------------------------------------------


def test_telsam_faxes_stop_when_the_provider_ignores_page(telsam, sandbox, caplog) -> None:
    # The paginator says "page 1, there is a next page" whatever page was asked for.
    sandbox.by_name["telsam"].paging_fault = "ignore-paging"
    now = sandbox.clock.now()

    faxes = bounded(telsam.iter_faxes(start_date=now - timedelta(days=30), end_date=now + timedelta(hours=1)))

    assert len(faxes) == 15 and len({f.id for f in faxes}) == 15
    assert "stopped paging faxes after 2 page(s)" in warnings(caplog)[0]


# --- the guard itself ---------------------------------------------------------------------------------


def test_the_guard_stops_when_the_cursor_does_not_advance(caplog) -> None:
    pages = {1: (["a", "b"], 2), 2: (["c", "d"], 2)}

    assert list(paginate(pages.__getitem__, first=1, provider="acme", what="things")) == ["a", "b", "c", "d"]
    assert warnings(caplog) == ["acme: stopped paging things after 2 page(s): the cursor does not advance (2 -> 2)"]


def test_the_guard_follows_pages_to_the_last_one(caplog) -> None:
    pages = {0: ([1, 2], 2), 2: ([3, 4], 4), 4: ([5], None)}

    assert list(paginate(pages.__getitem__, first=0, provider="acme", what="things")) == [1, 2, 3, 4, 5]
    assert warnings(caplog) == []
