"""10,000 recipients while 20% of requests to the provider fail, in every way the sandbox knows."""

from __future__ import annotations

from collections import Counter

import pytest

from messaging.models import SmsChunk, SmsRecipient
from messaging.numbers import Number
from messaging.recipients import Recipient
from messaging.services import actions, create, reports

pytestmark = pytest.mark.django_db

SIZE = 10_000


def test_a_10000_recipient_batch_under_faults_loses_nobody_and_sends_nobody_twice(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sms_account.options = {**sms_account.options, "sms_chunk_size": 250}
    sms_account.save()
    # Numbers ending in 8 would wait for their validity to expire; the rest settle in 30 s of sandbox time.
    numbers = [f"90532{n:07d}" for n in range(1_000_000, 1_000_000 + SIZE * 10, 10)][:SIZE]
    numbers = [n[:-1] + ("9" if i % 50 == 0 else "1") for i, n in enumerate(numbers)]
    recipients = [Recipient(Number("+" + n)) for n in numbers]
    # Random faults on 20% of all requests (429, 500, 503, latency), plus the ones a send fears most.
    sandbox.fault_rate = 0.2
    for kind in ("timeout", "malformed", "truncated", "expired-token", "500", "truncated"):
        sandbox.inject(kind, provider="pasifik", path="sms/submit", delay=0.01)
    for kind in ("500", "malformed", "timeout"):
        sandbox.inject(kind, provider="pasifik", path="sms/query", delay=0.01)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            batch = create.sms_batch_create(
                create.BatchRequest(
                    team=sms_account.team,
                    account=sms_account,
                    actor=alice,
                    sender="DEMO",
                    text="Kampanya",
                    recipients=recipients,
                )
            )
        for _ in range(30):
            with django_capture_on_commit_callbacks(execute=True):
                reports.sms_batch_reports(batch=batch)
                if batch.chunks.filter(state=SmsChunk.State.FAILED).exists():
                    actions.sms_batch_retry_failed(batch=batch, actor=alice)  # what a person clicks
            if not batch.chunks.exclude(state=SmsChunk.State.SUBMITTED).exists():
                break
        sandbox.clock.advance(120)
        for _ in range(30):
            reports.sms_batch_reports(batch=batch)
            if not batch.recipients.exclude(state__in=SmsRecipient.FINAL).exists():
                break
    finally:
        sandbox.fault_rate = 0.0

    assert batch.recipients.count() == SIZE
    assert set(batch.chunks.values_list("state", flat=True)) == {"submitted"}
    states = Counter(batch.recipients.values_list("state", flat=True))
    assert states == {"delivered": SIZE - SIZE // 50, "undelivered": SIZE // 50}
    # What the provider accepted: every number exactly once.
    accepted = Counter(m.to for b in sandbox.by_name["pasifik"].sms_batches.values() for m in b.messages)
    assert all(accepted[n] == 1 for n in numbers)
    assert sum(accepted[n] for n in numbers) == SIZE
    # And the faults did happen.
    assert any(c.attempts > 1 for c in batch.chunks.all())
