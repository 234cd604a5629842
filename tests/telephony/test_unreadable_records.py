"""A CDR the provider's client cannot read is skipped and counted like one the database refuses; the watermark moves."""

from __future__ import annotations

import pytest

from sandbox.pasifik import DEMO_TELEPHONE_IDS
from sandbox.poison import POISON_ID
from telephony import services
from telephony.models import CallRecord, ImportWatermark, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(team_a, sandbox_account):
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "telephone_ids": [str(DEMO_TELEPHONE_IDS[0])]}
    account.save()
    return account


def test_an_unreadable_history_cdr_is_skipped_and_the_others_stored(account, sandbox) -> None:
    sandbox.by_name["pasifik"].poison_record = True
    now = sandbox.clock.now()

    summary = services.tel_history_import(account=account, now=now)

    assert summary.errors == []
    assert [(s.provider_id, s.code) for s in summary.skipped] == [(str(POISON_ID), "unreadable")]
    assert "connect_time" in summary.skipped[0].detail
    assert CallRecord.objects.filter(source=Source.TELEPHONE).count() == 160  # every good record of the history
    assert not CallRecord.objects.filter(provider_id=str(POISON_ID)).exists()
    mark = ImportWatermark.objects.get(account=account, source=Source.TELEPHONE)
    assert mark.imported_until == now and mark.last_error == ""
    assert mark.last_skipped == 1 and mark.last_count == 160
    assert mark.skipped_records == [summary.skipped[0].as_data()]


def test_an_unreadable_pbx_cdr_is_skipped_and_the_others_stored(account, sandbox) -> None:
    now = sandbox.clock.now()
    clean = services.pbx_cdr_import(account=account, now=now).written
    CallRecord.objects.all().delete()
    ImportWatermark.objects.all().delete()
    sandbox.by_name["pasifik"].poison_record = True

    summary = services.pbx_cdr_import(account=account, now=now)

    assert summary.errors == [] and clean > 0
    assert {(s.provider_id, s.code) for s in summary.skipped} == {(str(POISON_ID), "unreadable")}
    assert summary.written == clean == CallRecord.objects.filter(source=Source.PBX).count()
    mark = ImportWatermark.objects.get(account=account, source=Source.PBX)
    assert mark.imported_until == now and mark.last_error == "" and mark.last_skipped >= 1
