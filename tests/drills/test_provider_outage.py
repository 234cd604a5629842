"""Provider outage drill: the sandbox is down for a minute while SMS sends, SMS report polls and
fax status polls are under way; afterwards everything catches up, nothing lost, nothing twice.

A real worker process does the work, as in production, so the retries run on
Celery's own timers (the SMS auto-retry countdowns of 10 s and 60 s) and the
polls go through the broker; the test plays beat, publishing the two polls
every few seconds instead of every minute. ``DRILL_OUTAGE_SECONDS`` sets how
long the provider is away (60 by default, as in CI).
"""

from __future__ import annotations

import os
import time
from collections import Counter

from accounts.models import Team
from fax.models import Fax, Status
from fax.services import drafts
from messaging.models import SmsBatch, SmsChunk
from messaging.numbers import Number
from messaging.recipients import Recipient
from messaging.services import create
from tests.drills.conftest import (
    accepted_numbers,
    publish_after_commit,
    sms_submits,
    submitted_numbers,
    wait_until,
)
from tests.fax.helpers import draft_on

OUTAGE = float(os.environ.get("DRILL_OUTAGE_SECONDS", "60"))
FAX_NUMBER = "902125550123"  # delivered by the sandbox


def _numbers(prefix: str, count: int) -> list[str]:
    return [f"90{prefix}{n:06d}1" for n in range(count)]


def test_it_catches_up_after_a_one_minute_provider_outage_with_nothing_lost_or_doubled(
    queue_through_broker, workers, served_sandbox, pasifik_account
) -> None:
    sandbox = served_sandbox.sandbox
    team = Team.objects.create(name="Outage drill team")
    account = pasifik_account(team, sms_chunk_size=100)
    demo_messages = Counter(accepted_numbers(sandbox))
    workers.start()

    def beat() -> None:
        publish_after_commit(queue_through_broker, "messaging.poll_reports")
        publish_after_commit(queue_through_broker, "fax.poll_outgoing_faxes")

    # Before the outage: a batch waiting for its delivery reports, and a fax the provider is transmitting.
    polled = create.sms_batch_create(
        create.BatchRequest(
            team=team,
            account=account,
            actor=None,
            sender="DEMO",
            text="Rapor bekleyen toplu mesaj.",
            recipients=[Recipient(Number("+" + n)) for n in _numbers("532", 1000)],
        )
    )
    wait_until(lambda: _state(polled) == SmsBatch.State.SUBMITTED, timeout=60, what="batch 1 sent", workers=workers)
    draft = draft_on(account, recipients=[FAX_NUMBER])
    [fax] = drafts.draft_confirm(draft=draft, actor=None)
    wait_until(lambda: bool(_fax(fax).provider_id), timeout=60, what="the fax accepted", workers=workers)

    # A batch being sent when the provider goes away: 20 chunks of 100, each submit taking 0.3 s.
    sandbox.inject("latency", provider="pasifik", path="sms/submit", times=1000, delay=0.3)
    before = sms_submits(sandbox)
    sending = create.sms_batch_create(
        create.BatchRequest(
            team=team,
            account=account,
            actor=None,
            sender="DEMO",
            text="Kesinti sırasında gönderilen toplu mesaj.",
            recipients=[Recipient(Number("+" + n)) for n in _numbers("533", 2000)],
        )
    )
    wait_until(lambda: sms_submits(sandbox) >= before + 5, timeout=60, what="batch 2 under way", workers=workers)

    served_sandbox.go_down()
    down_at = time.monotonic()
    assert _state(polled) == SmsBatch.State.SUBMITTED  # its reports were still to come
    assert _fax(fax).status == Status.SENDING
    assert sending.chunks.filter(state=SmsChunk.State.QUEUED).exists()
    time.sleep(0.5)  # a request accepted just before the port closed is logged when its thread starts
    requests_before = len(sandbox.requests)
    while time.monotonic() - down_at < OUTAGE:
        beat()
        time.sleep(5)
    assert len(sandbox.requests) == requests_before  # it really was down
    during = Counter(sending.chunks.values_list("state", flat=True))
    # A failed poll changes nothing: no batch given up on, no fax marked failed.
    assert _state(polled) == SmsBatch.State.SUBMITTED
    assert _fax(fax).status == Status.SENDING
    served_sandbox.come_back()
    back_at = time.monotonic()

    def caught_up() -> bool:
        done = (
            _state(polled) == SmsBatch.State.COMPLETED
            and _state(sending) == SmsBatch.State.COMPLETED
            and _fax(fax).status == Status.SENT
        )
        if not done:
            sandbox.clock.advance(30)  # deliveries settle in sandbox time; the retries wait in real time
            beat()
            time.sleep(2)
        return done

    wait_until(caught_up, timeout=OUTAGE + 420, what="everything catches up", workers=workers)
    caught_up_in = time.monotonic() - back_at

    sent = Counter(submitted_numbers(sandbox))
    expected = [n[-10:] for n in _numbers("532", 1000) + _numbers("533", 2000)]
    twice = [n for n, c in sent.items() if c > 1]
    missed = [n for n in expected if n not in sent]
    assert not twice, f"{len(twice)} numbers submitted more than once, e.g. {twice[:5]}"
    assert not missed, f"{len(missed)} numbers never submitted, e.g. {missed[:5]}"
    assert Counter(accepted_numbers(sandbox)) - demo_messages == sent
    assert set(SmsChunk.objects.filter(batch__team=team).values_list("state", flat=True)) == {"submitted"}
    fax_submits = [r for r in sandbox.requests_for("pasifik", "fax/submit") if r.method == "POST"]
    assert len(fax_submits) == 1  # the fax went out once; the outage only delayed what we knew of it
    retried = sending.chunks.filter(attempts__gt=1).count()
    assert retried > 0  # sends really were under way during the outage
    print(
        f"\nprovider outage drill: down {OUTAGE:.0f} s; batch 2 chunks at the end of the outage {dict(during)}; "
        f"caught up {caught_up_in:.0f} s after the provider came back; {retried} chunks retried; "
        f"{sum(sent.values()):,} numbers submitted, {len(twice)} twice, {len(missed)} missed; "
        f"fax {Fax.objects.get(pk=fax.pk).status}, {len(fax_submits)} submit"
    )


def _state(batch: SmsBatch) -> str:
    return SmsBatch.objects.values_list("state", flat=True).get(pk=batch.pk)


def _fax(fax: Fax) -> Fax:
    return Fax.objects.get(pk=fax.pk)
