"""The send pipeline against the sandbox: stored first, claimed once, reconciled, reported."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from messaging.models import SmsBatch, SmsChunk, SmsRecipient
from messaging.numbers import parse_number
from messaging.recipients import Recipient
from messaging.services import actions, address_book, errors, history_import, plan, reports, send
from messaging.services.create import BatchRequest, sms_batch_create
from messaging.services.scheduled import sms_scheduled_release

pytestmark = pytest.mark.django_db


def people(*numbers: str, **values: str) -> list[Recipient]:
    return [Recipient(parse_number(n), values.get("name", ""), dict(values)) for n in numbers]


def create(account, alice, numbers, text="Merhaba", capture=None, **kw):
    return sms_batch_create(
        BatchRequest(
            team=account.team, account=account, actor=alice, sender="DEMO", text=text, recipients=people(*numbers), **kw
        )
    )


def submitted_numbers(sandbox) -> list[str]:
    sent: list[str] = []
    for request in sandbox.requests_for("pasifik", "sms/submit"):
        body = json.loads(request.body)
        if "to" in body:
            sent.extend(body["to"].split(","))
        else:
            sent.extend(e["to"] for e in body["envelopes"])
    return sent


def test_it_stores_every_recipient_before_sending_and_submits_in_chunks(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = create(sms_account, alice, ["905321111111", "05322222222", "+90 532 333 33 33"])
    assert batch.recipients.count() == 3 and batch.chunks.count() == 2
    assert sandbox.requests_for("pasifik", "sms/submit") == []  # nothing went out yet
    for callback in callbacks:
        callback()
    assert set(batch.chunks.values_list("state", flat=True)) == {"submitted"}
    assert sorted(submitted_numbers(sandbox)) == ["905321111111", "905322222222", "905323333333"]
    assert set(batch.recipients.values_list("state", flat=True)) == {"waiting"}
    assert AuditEvent.objects.filter(action="sms.send", object_id=str(batch.pk)).exists()


def test_a_second_run_of_the_task_never_submits_a_chunk_twice(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222222", "905323333333"])
    send.sms_batch_send(batch_id=batch.pk)
    SmsBatch.objects.filter(pk=batch.pk).update(state="sending")
    send.sms_batch_send(batch_id=batch.pk)
    assert len(submitted_numbers(sandbox)) == 3


def test_numbers_abroad_go_in_their_own_universal_chunk_with_a_plus(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "+4915112345678"])
    bodies = [json.loads(r.body) for r in sandbox.requests_for("pasifik", "sms/submit")]
    assert {b["to"]: b.get("universal") for b in bodies} == {"905321111111": None, "+4915112345678": True}
    assert batch.chunks.get(universal=True).state == "submitted"


def test_personalised_texts_go_with_submit_multi(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    recipients = [
        Recipient(parse_number("905321111111"), "Ayşe", {"name": "Ayşe"}),
        Recipient(parse_number("905322222222"), "Mehmet", {"name": "Mehmet"}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        batch = sms_batch_create(
            BatchRequest(
                team=sms_account.team,
                account=sms_account,
                actor=alice,
                sender="DEMO",
                text="Merhaba {name}",
                recipients=recipients,
            )
        )
    body = json.loads(sandbox.requests_for("pasifik", "sms/submit/multi")[0].body)
    assert body["envelopes"] == [
        {"to": "905321111111", "text": "Merhaba Ayşe"},
        {"to": "905322222222", "text": "Merhaba Mehmet"},
    ]
    assert body["alphabet"] == "TurkishSingleShift" and batch.personalised


def test_a_timeout_after_the_request_left_is_reconciled_not_resubmitted(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("truncated", provider="pasifik", path="sms/submit")  # the provider took it, the answer was cut
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222222"])
    chunk = batch.chunks.get()
    assert chunk.state == "submitted" and chunk.sms_id
    assert len(submitted_numbers(sandbox)) == 2


def test_a_5xx_before_the_provider_acted_is_found_missing_and_retried(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("503", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222222"])
    chunk = batch.chunks.get()
    assert chunk.state == "submitted" and chunk.attempts == 2
    accepted = [b for b in sandbox.requests_for("pasifik", "sms/submit")]
    assert len(accepted) == 2  # the refused one and the retry: the provider stored one


def test_a_refusal_fails_the_chunk_with_a_clear_reason_and_keeps_the_recipients(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("expired-token", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222222"])
    chunk = batch.chunks.get()
    assert chunk.state == "failed" and "credentials" in chunk.error_text
    assert set(batch.recipients.values_list("state", flat=True)) == {"failed"}
    with django_capture_on_commit_callbacks(execute=True):
        actions.sms_batch_retry_failed(batch=batch, actor=alice)
    chunk.refresh_from_db()
    assert chunk.state == "submitted"


def test_pause_and_cancel_stop_every_chunk_not_yet_submitted(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        batch = create(sms_account, alice, ["905321111111", "905322222222", "905323333333", "905324444444"])
    actions.sms_batch_pause(batch=batch, actor=alice)
    assert send.sms_batch_send(batch_id=batch.pk) == "skipped: paused"
    # a task that already started: its claims fail on a paused batch
    first = batch.chunks.order_by("index").first()
    assert send.sms_chunk_submit(chunk_id=first.pk, client=None) is False
    actions.sms_batch_cancel(batch=batch, actor=alice)
    assert set(batch.chunks.values_list("state", flat=True)) == {"cancelled"}
    assert set(batch.recipients.values_list("state", flat=True)) == {"cancelled"}
    assert sandbox.requests_for("pasifik", "sms/submit") == []


def test_delivery_reports_turn_recipients_delivered_or_undelivered(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222229"])
    reports.sms_reports_poll()
    assert set(batch.recipients.values_list("state", flat=True)) == {"waiting"}
    sandbox.clock.advance(60)
    reports.sms_reports_poll()
    states = dict(batch.recipients.values_list("phone", "state"))
    assert states == {"+905321111111": "delivered", "+905322222229": "undelivered"}
    undelivered = batch.recipients.get(state="undelivered")
    assert undelivered.status_text in ("Unknown subscriber", "Bilinmeyen abone") and undelivered.cost > 0
    batch.refresh_from_db()
    assert batch.state == "completed"


def test_resend_to_undelivered_creates_a_new_batch(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222229"])
    sandbox.clock.advance(60)
    reports.sms_reports_poll()
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.sms_batch_resend_undelivered(batch=batch, actor=alice)
    assert again.resend_of == batch
    assert list(again.recipients.values_list("phone", flat=True)) == ["+905322222229"]


def test_the_opt_out_list_and_duplicates_are_left_out_and_counted(team_a, alice) -> None:
    from messaging.recipients import prepare_recipients

    address_book.opt_out_add(team=team_a, actor=alice, phone="05323333333")
    prepared = prepare_recipients(team=team_a, typed="905321111111, 0532 111 11 11\n05323333333\nabc 12")
    assert [r.number.e164 for r in prepared.recipients] == ["+905321111111"]
    assert (prepared.duplicates, prepared.opt_outs) == (1, 1)
    assert prepared.errors == [
        ("recipients", "line 3: “abc” is not a phone number"),
        ("recipients", "line 3: “12” is not a valid phone number"),
    ]


def test_it_counts_state_changes_for_recipients_only_once(sms_account) -> None:
    assert SmsRecipient.State.DELIVERED in SmsRecipient.FINAL
    assert SmsChunk.State.UNKNOWN == "unknown"


def test_a_schedule_in_the_teams_zone_is_sent_in_the_documented_utc_format(
    alice_client, sms_account, sandbox, django_capture_on_commit_callbacks, settings
) -> None:
    from django.urls import reverse

    settings.SMS_SCHEDULE_MAX_DAYS = 365 * 100  # a fixed date years ahead, whatever today is
    sms_account.team.time_zone = "Europe/Istanbul"
    sms_account.team.save()
    data = {
        "account": sms_account.pk,
        "sender": "DEMO",
        "text": "Yarın görüşmek üzere",
        "recipients": "05321111111",
        "scheduled_at": "2030-01-01T10:00",
        "period": "90",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("sms-new"), data)
    assert response.status_code == 302
    assert sandbox.requests_for("pasifik", "sms/submit") == []  # held in the portal until it is due
    batch = SmsBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert sms_scheduled_release(now=batch.scheduled_at - timedelta(minutes=1)) == 1
    body = json.loads(sandbox.requests_for("pasifik", "sms/submit")[0].body)
    assert body["scheduled_delivery_time"] == "2030-01-01T07:00:00Z"
    assert body["period"] == 90


def test_the_operator_reserve_counts_towards_the_parts(sms_account) -> None:
    recipients = people("905321111111")
    assert plan.sms_plan(text="a" * 157, recipients=recipients, reserve=0, flash=False).parts == 1
    assert plan.sms_plan(text="a" * 157, recipients=recipients, reserve=5, flash=False).parts == 2


def test_the_import_command_brings_in_the_providers_batches(sms_account, sandbox) -> None:
    from django.core.management import call_command

    call_command("sms_import", days=8)
    batches = SmsBatch.objects.filter(team=sms_account.team)
    assert batches.count() == 6
    assert all(b.recipients.filter(state="undelivered").exists() for b in batches)  # one in each demo campaign


def test_imported_costs_carry_the_account_s_currency_even_before_any_balance_was_read(sms_account, sandbox) -> None:
    from django.core.cache import cache
    from django.core.management import call_command

    cache.clear()  # what a fresh worker or the demo's first import knows of the balance: nothing
    call_command("sms_import", days=8)
    costs = set(SmsBatch.objects.filter(team=sms_account.team).values_list("estimated_cost", "currency"))
    assert costs and all(cost is not None and currency == "TRY" for cost, currency in costs)


def test_an_import_waits_while_a_send_is_unreconciled(sms_account, alice, sandbox, settings) -> None:
    from datetime import date

    settings.SMS_RECONCILE_GRACE_SECONDS = 3600
    batch = create(sms_account, alice, ["905321111111"])
    SmsChunk.objects.filter(batch=batch).update(state="unknown", attempted_at=batch.created_at)
    with pytest.raises(errors.SmsError):
        history_import.sms_batches_import(
            account=sms_account, actor=alice, start=date(2026, 1, 1), end=date(2026, 1, 2)
        )


def test_a_personalised_resend_keeps_each_recipients_text(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    recipients = [Recipient(parse_number("905322222229"), "Ali", {"name": "Ali"})]
    with django_capture_on_commit_callbacks(execute=True):
        batch = sms_batch_create(
            BatchRequest(
                team=sms_account.team,
                account=sms_account,
                actor=alice,
                sender="DEMO",
                text="Selam {name}",
                recipients=recipients,
            )
        )
    sandbox.clock.advance(60)
    reports.sms_reports_poll()
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.sms_batch_resend_undelivered(batch=batch, actor=alice)
    assert again.text == "Selam {name}" and again.recipients.get().text == "Selam Ali"
    assert (
        json.loads(sandbox.requests_for("pasifik", "sms/submit/multi")[-1].body)["envelopes"][0]["text"] == "Selam Ali"
    )


def test_an_account_without_credentials_fails_the_chunks_with_a_reason(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sms_account.credentials = {"username": "demo"}
    sms_account.save()
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111"])
    chunk = batch.chunks.get()
    assert chunk.state == "failed" and "incomplete" in chunk.error_text
    assert reports.sms_reports_poll().startswith("0 batches")


def test_a_rate_limited_chunk_is_retried_by_itself_and_sent_once(
    sms_account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("429", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111", "905322222222"])
    chunk = batch.chunks.get()
    assert (chunk.state, chunk.attempts) == ("submitted", 2)
    assert len(sandbox.by_name["pasifik"].sms_batches) == 6 + 1  # the demo campaigns and ours, once


def test_a_refused_chunk_waits_for_a_person(sms_account, alice, sandbox, django_capture_on_commit_callbacks) -> None:
    sandbox.inject("expired-token", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create(sms_account, alice, ["905321111111"])
    chunk = batch.chunks.get()
    assert (chunk.state, chunk.attempts, chunk.auto_retry) == ("failed", 1, False)
    batch.refresh_from_db()
    assert batch.state == "completed"  # finished, with failures; the page still offers the retry
