"""A received fax the provider's client cannot read is skipped and reported; the others are stored."""

from __future__ import annotations

import pytest

from fax.models import Direction, Fax
from fax.services import inbox
from sandbox.poison import POISON_ID

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["pasifik", "telsam", "verimor", "telphin"])
def test_an_unreadable_inbox_record_is_skipped_recorded_and_the_others_stored(
    kind, team_a, team_b, sandbox_account, sandbox
) -> None:
    clean = inbox.fax_fetch_incoming(account=sandbox_account(team_b, kind))
    assert clean > 0
    sandbox.by_name[kind].poison_record = True
    account = sandbox_account(team_a, kind)

    new = inbox.fax_fetch_incoming(account=account)

    assert new == clean  # every good fax, none stopped at the bad one
    received = Fax.objects.filter(team=team_a, direction=Direction.INCOMING)
    assert set(received.values_list("provider_id", flat=True)) == set(
        Fax.objects.filter(team=team_b, direction=Direction.INCOMING).values_list("provider_id", flat=True)
    )
    [skipped] = account.fax_inbox_poll.skipped
    assert (skipped["provider_id"], skipped["error"]) == (str(POISON_ID), "unreadable")
    assert skipped["reason"]


def test_the_poll_after_the_provider_fixes_its_record_reports_nothing(team_a, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "telphin")
    sandbox.by_name["telphin"].poison_record = True
    inbox.fax_fetch_incoming(account=account)
    assert len(account.fax_inbox_poll.skipped) == 1

    sandbox.by_name["telphin"].poison_record = False
    inbox.fax_fetch_incoming(account=account)
    account.fax_inbox_poll.refresh_from_db()
    assert account.fax_inbox_poll.skipped == []
