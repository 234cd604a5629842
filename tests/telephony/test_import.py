"""CDR import: idempotent upserts, overlapping windows, each endpoint's time format, provider paging."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import ProviderAccount
from providers.pasifik.models import PbxCdr, TelCall
from sandbox.core import Clock, RunningSandbox, Sandbox
from sandbox.management.commands.demo_setup import sandbox_credentials, sandbox_options
from sandbox.pasifik import DEMO_TELEPHONE_IDS, LIVE_SLOT_SECONDS, PasifikSandbox
from sandbox.pasifik.pbx import demo_pbx_cdrs
from sandbox.pasifik.telephone import demo_history
from telephony import services, tasks
from telephony.models import CallRecord, Direction, Disposition, ImportWatermark, Source
from telephony.normalize import pbx_fields, tel_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_sandbox_clock(request: pytest.FixtureRequest) -> None:
    """Live calls that end while a test runs would join the history it counts."""
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").clock.freeze()


@pytest.fixture
def account(team_a, sandbox_account) -> ProviderAccount:
    return sandbox_account(team_a, "pasifik")


def test_it_reads_the_telephone_history_gmt_stamp_as_utc() -> None:
    call = TelCall.model_validate(
        {"i_cdr": 5, "connect_time": "11:57:29.000 GMT Fri Dec 11 2015",
         "disconnect_time": "11:58:29.000 GMT Fri Dec 11 2015",
         "duration": 60.0, "billed_duration": 60.0, "result": 0, "cli_in": "908505320252", "cld_in": "05321234567",
         "cost": "0.09"}
    )  # fmt: skip
    fields = tel_fields(call)
    assert fields is not None
    assert fields["start"] == datetime(2015, 12, 11, 11, 57, 29, tzinfo=UTC)
    assert fields["end"] == datetime(2015, 12, 11, 11, 58, 29, tzinfo=UTC)
    assert fields["disposition"] == Disposition.ANSWERED
    assert fields["caller"] == "+908505320252"
    assert fields["callee"] == "+905321234567"
    assert str(fields["cost"]) == "0.09"


def test_it_takes_the_pbx_start_from_uniqueid_and_derives_answer_and_end() -> None:
    cdr = PbxCdr.model_validate(
        {"uniqueid": "1479634390.36435", "calldate": "2016-11-20 11:33:10", "src": "05321234567", "dst": "101",
         "did": "908505320100", "disposition": "ANSWERED", "duration": "70", "billsec": "60",
         "recordingfile": "in-908505320100-05321234567-20161120-113310-1479634390.36435.wav"}
    )  # fmt: skip
    fields = pbx_fields(cdr)
    assert fields is not None
    # uniqueid's Unix time, exact; calldate (11:33:10) is the PBX's wall clock two hours ahead.
    assert fields["start"] == datetime(2016, 11, 20, 9, 33, 10, tzinfo=UTC)
    assert fields["answer"] == fields["start"] + timedelta(seconds=10)
    assert fields["end"] == fields["start"] + timedelta(seconds=70)
    assert fields["direction"] == Direction.INCOMING
    assert fields["has_recording"] is True


@pytest.mark.parametrize(
    ("result", "duration", "expected"),
    [(0, 12.0, Disposition.ANSWERED), (0, 0.0, Disposition.NO_ANSWER), (17, 0.0, Disposition.BUSY),
     (16, 0.0, Disposition.FAILED)],
)  # fmt: skip
def test_it_maps_telephone_results_to_dispositions(result: int, duration: float, expected: str) -> None:
    call = TelCall.model_validate(
        {"i_cdr": 1, "connect_time": "2025-01-02T03:04:05Z", "duration": duration, "result": result}
    )
    fields = tel_fields(call)
    assert fields is not None and fields["disposition"] == expected


def test_it_imports_both_sources_and_importing_again_changes_nothing(account, sandbox) -> None:
    now = sandbox.clock.now()
    first = services.calls_import(account=account, now=now)
    assert first.errors == []
    count = CallRecord.objects.count()
    assert CallRecord.objects.filter(source=Source.TELEPHONE).count() == 160 * len(DEMO_TELEPHONE_IDS)
    assert CallRecord.objects.filter(source=Source.PBX).exists()
    before = dict(CallRecord.objects.values_list("pk", "start"))

    # A second run over the same window (the watermark is reset, so the same pages come again).
    ImportWatermark.objects.update(imported_until=None)
    services.calls_import(account=account, now=now)
    assert CallRecord.objects.count() == count
    assert dict(CallRecord.objects.values_list("pk", "start")) == before


def test_an_overlapping_window_adds_only_the_new_calls(account, sandbox) -> None:
    services.tel_history_import(account=account, now=sandbox.clock.now())
    count = CallRecord.objects.count()
    sandbox.clock.advance(LIVE_SLOT_SECONDS * 20)  # live calls end and join the history
    sandbox.requests.clear()

    services.tel_history_import(account=account, now=sandbox.clock.now())

    mark = ImportWatermark.objects.get(account=account, source=Source.TELEPHONE, key=str(DEMO_TELEPHONE_IDS[0]))
    body = sandbox.requests_for("pasifik", "tel/history")[0].json()
    asked_from = datetime.strptime(body["start_date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert asked_from < mark.imported_until - services.import_overlap() + timedelta(seconds=LIVE_SLOT_SECONDS * 20 + 1)
    new = CallRecord.objects.count() - count
    assert new > 0
    ids = list(CallRecord.objects.values_list("account", "source", "provider_id"))
    assert len(ids) == len(set(ids))


def test_it_pages_through_the_history_with_offset_and_limit(account, sandbox) -> None:
    account.options = {**account.options, "telephone_ids": [str(DEMO_TELEPHONE_IDS[0])]}
    account.save()
    services.tel_history_import(account=account, now=sandbox.clock.now(), page_size=50)
    bodies = [r.json() for r in sandbox.requests_for("pasifik", "tel/history")]
    assert [b["offset"] for b in bodies] == [0, 50, 100, 150]
    assert {b["limit"] for b in bodies} == {50}
    assert CallRecord.objects.filter(source=Source.TELEPHONE).count() == 160


def test_the_pbx_import_asks_a_day_at_a_time_in_utc_and_resumes_from_its_watermark(account, sandbox) -> None:
    now = sandbox.clock.now()
    services.pbx_cdr_import(account=account, now=now)
    bodies = [r.json() for r in sandbox.requests_for("pasifik", "pbx/cdr")]
    first_start = (now - services.import_backfill()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert bodies[0]["start_date"] == first_start.strftime("%Y-%m-%d %H:%M:%S")
    assert len(bodies) == math.ceil((now - first_start) / timedelta(days=1))  # 30 days and today's part
    assert bodies[-1]["end_date"] == now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    mark = ImportWatermark.objects.get(account=account, source=Source.PBX)
    assert mark.imported_until == now

    sandbox.requests.clear()
    services.pbx_cdr_import(account=account, now=now + timedelta(minutes=10))
    bodies = [r.json() for r in sandbox.requests_for("pasifik", "pbx/cdr")]
    expected_start = (now - services.import_overlap()).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert [b["start_date"] for b in bodies] == [expected_start]


def test_a_provider_failure_keeps_the_watermark_and_says_why(account, sandbox) -> None:
    sandbox.inject("503", provider="pasifik", path="pbx/cdr", times=10)
    summary = services.pbx_cdr_import(account=account, now=sandbox.clock.now())
    mark = ImportWatermark.objects.get(account=account, source=Source.PBX)
    assert mark.imported_until is None
    assert "did not answer in time" in mark.last_error_text
    assert summary.errors


def test_the_periodic_task_imports_every_active_pasifik_account(account, sandbox) -> None:
    assert tasks.calls_import_all.delay().get() == "queued 1"
    assert CallRecord.objects.filter(account=account).exists()


def test_the_first_import_brings_in_every_cdr_of_a_scaled_up_demo_sandbox(team_a, settings) -> None:
    clock = Clock()
    emulator = PasifikSandbox(clock, demo_scale=5)
    with RunningSandbox(Sandbox(providers=[emulator], clock=clock)) as running:
        settings.PROVIDER_URL_ALLOWLIST = [running.url]  # a sandbox of its own, allowed like the shared one
        account = ProviderAccount.objects.create(
            team=team_a, kind="pasifik", label="Scaled demo", credentials=sandbox_credentials("pasifik"),
            options=sandbox_options("pasifik"), base_url=f"{running.url}/pasifik",
        )  # fmt: skip
        summary = services.calls_import(account=account, now=clock.now())

    assert not summary.errors
    imported = set(CallRecord.objects.filter(account=account).values_list("source", "provider_id"))
    history = {
        (Source.TELEPHONE, str(cdr["i_cdr"]))
        for telephone_id in DEMO_TELEPHONE_IDS
        for _, cdr in demo_history(telephone_id, emulator._history_anchor or "", 5)
    }
    cdrs = {(Source.PBX, cdr["uniqueid"]) for _, cdr in demo_pbx_cdrs(emulator._pbx_anchor or "", 5)}
    assert len(history) + len(cdrs) > 3000
    assert history | cdrs <= imported  # the oldest calls too: the backfill starts at that day's midnight


def test_an_import_failure_is_kept_as_a_key_and_read_in_the_readers_language(account, sandbox) -> None:
    from django.utils import translation

    sandbox.inject("503", provider="pasifik", path="pbx/cdr", times=10)
    with translation.override("en"):  # the worker's language
        services.pbx_cdr_import(account=account, now=sandbox.clock.now())
    mark = ImportWatermark.objects.get(account=account, source=Source.PBX)
    assert mark.last_error == "" and mark.last_error_stored["key"] in ("unavailable", "with_excerpt")
    with translation.override("tr"):
        assert "Sağlayıcı zamanında yanıt vermedi" in mark.last_error_text
