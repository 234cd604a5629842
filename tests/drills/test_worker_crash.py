"""Worker crash drill: kill -9 the worker in the middle of a 10,000-recipient batch, start another.

The batch send task is ``acks_late``: the killed worker never acknowledged it,
so Redis hands it out again and the new worker carries on. Chunks are claimed
atomically (queued → submitting), so the chunks the dead worker sent are not
sent again; the one it had on the wire is left "submitting" and is matched to
the provider's reports instead of being resubmitted.
"""

from __future__ import annotations

import time
from collections import Counter

from accounts.models import Team
from messaging import services
from messaging.models import SmsBatch, SmsChunk, SmsRecipient
from messaging.numbers import Number
from messaging.recipients import Recipient
from tests.drills.conftest import (
    accepted_numbers,
    publish_after_commit,
    sms_submits,
    submitted_numbers,
    wait_until,
)

SIZE = 10_000
CHUNK = 100
KILL_AFTER = 30  # submits seen by the sandbox before the kill


def test_it_finishes_a_batch_after_kill_9_with_no_number_sent_twice_or_missed(
    queue_through_broker, workers, served_sandbox, pasifik_account
) -> None:
    sandbox = served_sandbox.sandbox
    team = Team.objects.create(name="Drill team")
    account = pasifik_account(team, sms_chunk_size=CHUNK)
    # …1 is delivered, …9 undelivered (every 50th): both are final states the batch can complete with.
    numbers = [f"90532{n:06d}" + ("9" if n % 50 == 0 else "1") for n in range(SIZE)]
    # Each submit takes 0.15 s at the provider, so the kill lands while one is on the wire.
    sandbox.inject("latency", provider="pasifik", path="sms/submit", times=10 * SIZE, delay=0.15)
    workers.extra_env["DRILL_VISIBILITY_TIMEOUT"] = "5"
    demo_messages = Counter(accepted_numbers(sandbox))  # the sandbox starts with a few sends of its own
    first = workers.start()

    began = time.monotonic()
    batch = services.sms_batch_create(
        team=team,
        account=account,
        actor=None,
        sender="DEMO",
        text="Tatbikat: bu mesaj bir kez gelir.",
        recipients=[Recipient(Number("+" + n)) for n in numbers],
    )
    wait_until(
        lambda: sms_submits(sandbox) >= KILL_AFTER, timeout=120, what="the first submits", workers=workers, every=0.01
    )
    workers.kill(first)
    killed_at = time.monotonic() - began
    at_kill = Counter(batch.chunks.values_list("state", flat=True))
    assert at_kill["queued"] > 0, at_kill  # the kill came in the middle of the batch
    assert at_kill["submitting"] == 1, at_kill  # with one chunk on the wire, its outcome unknown to us

    workers.start()
    wait_until(
        lambda: SmsBatch.objects.get(pk=batch.pk).state == SmsBatch.State.SUBMITTED,
        timeout=180,
        what="the second worker submits the rest",
        workers=workers,
    )
    submitted_at = time.monotonic() - began
    # Beat's job: poll the delivery reports until every recipient is final (sandbox time moves on).
    sandbox.clock.advance(120)

    def completed() -> bool:
        if SmsBatch.objects.get(pk=batch.pk).state == SmsBatch.State.COMPLETED:
            return True
        publish_after_commit(queue_through_broker, "messaging.tasks.sms_reports_poll_task")
        time.sleep(1)
        return False

    wait_until(completed, timeout=120, what="the batch completes", workers=workers)
    completed_at = time.monotonic() - began

    sent = Counter(submitted_numbers(sandbox))
    accepted = Counter(accepted_numbers(sandbox)) - demo_messages
    twice = [n for n, c in sent.items() if c > 1]
    missed = [n for n in numbers if n[-10:] not in sent]
    assert not twice, f"{len(twice)} numbers submitted more than once, e.g. {twice[:5]}"
    assert not missed, f"{len(missed)} numbers never submitted, e.g. {missed[:5]}"
    assert sum(sent.values()) == SIZE
    assert accepted == sent  # what the provider kept is exactly what the log shows
    assert set(batch.chunks.values_list("state", flat=True)) == {SmsChunk.State.SUBMITTED}
    states = Counter(batch.recipients.values_list("state", flat=True))
    assert states == {SmsRecipient.State.DELIVERED: SIZE - SIZE // 50, SmsRecipient.State.UNDELIVERED: SIZE // 50}
    assert batch.chunks.filter(attempts__gt=1).count() == 0  # nothing was sent a second time, not even tried
    print(
        f"\nworker crash drill: {SIZE:,} recipients in {SIZE // CHUNK} chunks; kill -9 after {killed_at:.1f} s "
        f"with chunks {dict(at_kill)}; all submitted at {submitted_at:.1f} s, completed at {completed_at:.1f} s; "
        f"{sms_submits(sandbox)} submit requests, {sum(sent.values()):,} numbers, "
        f"{len(twice)} twice, {len(missed)} missed"
    )
